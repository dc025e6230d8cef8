package webtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// The documents of the brief: one blueprint on Terraform's builtin provider only, the same
// with another value, and the same with a misspelt attribute.
const (
	ValidDoc = `{"format": 1, "name": "demo", "resources": [{"type": "terraform_data", "name": "web", ` +
		`"config": {"input": {"literal": "hello"}}}], "outputs": [{"name": "web_id", "value": {"ref": "terraform_data.web.id"}}]}`
	ChangedDoc = `{"format": 1, "name": "demo", "resources": [{"type": "terraform_data", "name": "web", ` +
		`"config": {"input": {"literal": "hello again"}}}], "outputs": [{"name": "web_id", "value": {"ref": "terraform_data.web.id"}}]}`
	InvalidDoc = `{"format": 1, "name": "demo", "resources": [{"type": "terraform_data", "name": "web", ` +
		`"config": {"inptu": {"literal": "x"}}}], "outputs": [{"name": "web_id", "value": {"ref": "terraform_data.web.id"}}]}`
)

// Catalog is the embedded catalog, loaded once per test binary.
func Catalog(t testing.TB) *catalog.Catalog { return testenv.Catalog(t) }

// App is the web interface over a real store in a temporary directory, used as a signed-in
// user: Do sends the session cookie and the CSRF token with every request.
type App struct {
	T       testing.TB
	Handler http.Handler
	Store   *store.Store
	Log     *bytes.Buffer
	Session *Session // nil: signed out
}

// NewApp is the app signed in as "admin", a global admin.
func NewApp(t testing.TB) *App { return NewAppWith(t, nil) }

// NewAppWith is NewApp with configure changing the web.Config first (secrets, runs, crawls);
// the store, catalog, logger and password costs are set already.
func NewAppWith(t testing.TB, configure func(*web.Config)) *App {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	a := &App{T: t, Store: st, Log: &bytes.Buffer{}}
	cfg := a.Config()
	if configure != nil {
		configure(&cfg)
	}
	a.Handler = NewHandler(t, cfg)
	a.SignInAdmin()
	return a
}

// Config is the web.Config of the app's store with the embedded catalog, the app's log and
// cheap password hashing: a start for tests that build their own handler.
func (a *App) Config() web.Config {
	return web.Config{Store: a.Store, Catalog: Catalog(a.T), Logger: a.Logger(), PasswordParams: CheapParams}
}

// Reconfigure rebuilds the app's handler over the same store with configure applied to its
// Config, and signs in as admin again.
func (a *App) Reconfigure(configure func(*web.Config)) {
	a.T.Helper()
	cfg := a.Config()
	configure(&cfg)
	a.Handler = NewHandler(a.T, cfg)
	a.SignInAdmin()
}

// NewHandler is web.New, failing the test on an error.
func NewHandler(t testing.TB, cfg web.Config) http.Handler {
	t.Helper()
	h, err := web.New(cfg)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	return h
}

// SignInAdmin creates the global admin "admin" if needed and signs the app in as them.
func (a *App) SignInAdmin() {
	a.T.Helper()
	a.Session = SignIn(a.T, a.Handler, a.Store, "admin", true)
}

// As is the same app signed in as user, a user created (not a global admin) when missing.
// Give them a role with a.Store.SetMember.
func (a *App) As(user string) *App {
	a.T.Helper()
	b := *a
	b.Session = SignIn(a.T, a.Handler, a.Store, user, false)
	return &b
}

// SignedOut is the same app without a session.
func (a *App) SignedOut() *App {
	b := *a
	b.Session = nil
	return &b
}

// WithoutCSRF is the same session, sending no CSRF token.
func (a *App) WithoutCSRF() *App {
	b := *a
	if a.Session != nil {
		ses := *a.Session
		ses.CSRF = ""
		b.Session = &ses
	}
	return &b
}

// WithSession wraps h so that every request carries the app's session, for tests that go
// through a real HTTP server.
func (a *App) WithSession(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.Session.Apply(r)
		h.ServeHTTP(w, r)
	})
}

// HTTPGet gets url from a real server with the app's session.
func (a *App) HTTPGet(url string) (*http.Response, error) {
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	a.Session.Apply(r)
	return http.DefaultClient.Do(r)
}

// Password is every test user's password; its hash uses cheap argon2id parameters so that
// signing in costs the tests next to nothing.
const Password = "correct horse battery"

// CheapParams are argon2id costs that make hashing nearly free, for tests only.
var CheapParams = auth.Params{Memory: 64, Time: 1, Threads: 1}

var (
	hashOnce sync.Once
	hash     string
)

// PasswordHash is Password hashed with CheapParams.
func PasswordHash(tb testing.TB) string {
	tb.Helper()
	hashOnce.Do(func() { hash, _ = auth.HashPassword(Password, CheapParams) })
	if hash == "" {
		tb.Fatal("hashing the test password failed")
	}
	return hash
}

// Session is a signed-in browser: its cookie and the CSRF token from its pages.
type Session struct {
	User   string
	Cookie *http.Cookie
	CSRF   string
}

// Apply adds the session cookie and the CSRF header to r, unless r has its own.
func (s *Session) Apply(r *http.Request) {
	if s == nil {
		return
	}
	if _, err := r.Cookie(s.Cookie.Name); err != nil {
		r.AddCookie(s.Cookie)
	}
	if s.CSRF != "" && r.Header.Get(page.CSRFHeader) == "" {
		r.Header.Set(page.CSRFHeader, s.CSRF)
	}
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "cloudoven_session"

// SignIn signs name in through POST /signin, creating the user with Password when missing,
// and reads the CSRF token from the layout's meta tag.
func SignIn(tb testing.TB, h http.Handler, st *store.Store, name string, admin bool) *Session {
	tb.Helper()
	if _, err := st.User(context.Background(), name); errors.Is(err, store.ErrNotFound) {
		if _, err := st.CreateUser(context.Background(), name, PasswordHash(tb), admin); err != nil {
			tb.Fatalf("creating user %s: %v", name, err)
		}
	}
	form := url.Values{"name": {name}, "password": {Password}}
	r := httptest.NewRequest(http.MethodPost, paths.SignIn(""), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		tb.Fatalf("signing in %s: status %d, want 303; body:\n%s", name, w.Code, w.Body)
	}
	ses := &Session{User: name}
	for _, c := range w.Result().Cookies() {
		if c.Name == SessionCookie {
			ses.Cookie = c
		}
	}
	if ses.Cookie == nil {
		tb.Fatalf("signing in %s set no %s cookie", name, SessionCookie)
	}
	r = httptest.NewRequest(http.MethodGet, paths.Account(), nil)
	r.AddCookie(ses.Cookie)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	doc, err := goquery.NewDocumentFromReader(w.Body)
	if err != nil {
		tb.Fatal(err)
	}
	ses.CSRF = doc.Find(`meta[name="csrf-token"]`).AttrOr("content", "")
	if ses.CSRF == "" {
		tb.Fatalf("the page after signing in %s has no csrf-token meta tag", name)
	}
	return ses
}

// Logger writes to the app's Log.
func (a *App) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(&lockedWriter{w: a.Log}, nil))
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Do serves r with the app's session.
func (a *App) Do(r *http.Request) *httptest.ResponseRecorder {
	a.T.Helper()
	a.Session.Apply(r)
	w := httptest.NewRecorder()
	a.Handler.ServeHTTP(w, r)
	return w
}

// Get gets path, as htmx does when htmx is true.
func (a *App) Get(path string, htmx bool) *httptest.ResponseRecorder {
	a.T.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return a.Do(r)
}

// PostForm posts form to path, as htmx does when htmx is true.
func (a *App) PostForm(path string, form url.Values, htmx bool) *httptest.ResponseRecorder {
	a.T.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return a.Do(r)
}

// Upload is a multipart form: fields, and files by field name.
type Upload struct {
	Fields map[string]string
	Files  map[string][]byte
}

// Body is the upload encoded, with its Content-Type.
func (u Upload) Body(t testing.TB) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range u.Fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for k, content := range u.Files {
		fw, err := mw.CreateFormFile(k, k+".json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// PostMultipart posts u to path.
func (a *App) PostMultipart(path string, u Upload, htmx bool) *httptest.ResponseRecorder {
	a.T.Helper()
	body, contentType := u.Body(a.T)
	r := httptest.NewRequest(http.MethodPost, path, body)
	r.Header.Set("Content-Type", contentType)
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return a.Do(r)
}

// CreateProject creates a project through the store, for tests about other pages.
func (a *App) CreateProject(name string) {
	a.T.Helper()
	if _, err := a.Store.CreateProject(context.Background(), name, "a test project"); err != nil {
		a.T.Fatalf("creating project %s: %v", name, err)
	}
}

// ImportDoc imports doc into project through the handler and fails unless it is accepted; it
// returns where the import redirected.
func (a *App) ImportDoc(project, doc, message string) string {
	a.T.Helper()
	w := a.PostMultipart(paths.Blueprints(project), Upload{
		Fields: map[string]string{"message": message},
		Files:  map[string][]byte{"document": []byte(doc)},
	}, false)
	if w.Code != http.StatusSeeOther {
		a.T.Fatalf("importing into %s: status %d, want 303; body:\n%s", project, w.Code, w.Body)
	}
	return w.Header().Get("Location")
}

// BlueprintCount is how many blueprints project has.
func (a *App) BlueprintCount(project string) int {
	a.T.Helper()
	bs, err := a.Store.Blueprints(context.Background(), project)
	if err != nil {
		a.T.Fatalf("listing blueprints: %v", err)
	}
	return len(bs)
}

// Page gets path and fails unless it is a whole page answered with 200.
func (a *App) Page(path string) *goquery.Document {
	a.T.Helper()
	w := a.Get(path, false)
	WantStatus(a.T, w, http.StatusOK)
	return WantFullPage(a.T, w)
}

// SubmitForm posts the form found by data-testid on page, with changes, as htmx does, and
// returns the answer's HTML and status.
func (a *App) SubmitForm(page *goquery.Document, testID string, change func(url.Values)) (*goquery.Document, int) {
	a.T.Helper()
	f := ByTestID(page, testID)
	if f.Length() != 1 {
		a.T.Fatalf("the page has %d forms %q", f.Length(), testID)
	}
	v := htmltest.FormValues(f)
	if change != nil {
		change(v)
	}
	w := a.PostForm(f.AttrOr("action", ""), v, true)
	return ParseHTML(a.T, w), w.Code
}
