package web

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
	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/account"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// The documents of the brief: one blueprint on Terraform's builtin provider only, and the same
// with a misspelt attribute.
const (
	validDoc = `{"format": 1, "name": "demo", "resources": [{"type": "terraform_data", "name": "web", ` +
		`"config": {"input": {"literal": "hello"}}}], "outputs": [{"name": "web_id", "value": {"ref": "terraform_data.web.id"}}]}`
	changedDoc = `{"format": 1, "name": "demo", "resources": [{"type": "terraform_data", "name": "web", ` +
		`"config": {"input": {"literal": "hello again"}}}], "outputs": [{"name": "web_id", "value": {"ref": "terraform_data.web.id"}}]}`
	invalidDoc = `{"format": 1, "name": "demo", "resources": [{"type": "terraform_data", "name": "web", ` +
		`"config": {"inptu": {"literal": "x"}}}], "outputs": [{"name": "web_id", "value": {"ref": "terraform_data.web.id"}}]}`
)

// testCatalog is the embedded catalog, loaded once per test binary.
func testCatalog(t testing.TB) *catalog.Catalog { return testenv.Catalog(t) }

// testApp is the web handler over a real store in a temporary directory, used as a
// signed-in user: do sends the session cookie and the CSRF token with every request.
type testApp struct {
	t       *testing.T
	handler http.Handler
	store   *store.Store
	log     *bytes.Buffer
	session *testSession // nil: signed out
}

// newTestApp is the app signed in as "admin", a global admin.
func newTestApp(t *testing.T) *testApp {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	app := &testApp{t: t, store: st, log: &bytes.Buffer{}}
	app.handler = newHandler(t, Config{Store: st, Catalog: testCatalog(t), Logger: app.logger(), PasswordParams: cheapParams})
	app.signInAdmin()
	return app
}

// signInAdmin creates the global admin "admin" if needed and signs the app in as them.
func (a *testApp) signInAdmin() {
	a.t.Helper()
	a.session = signInTB(a.t, a.handler, a.store, "admin", true)
}

// as is the same app signed in as user, a user created (not a global admin) when missing.
// Give them a role with a.store.SetMember.
func (a *testApp) as(user string) *testApp {
	a.t.Helper()
	b := *a
	b.session = signInTB(a.t, a.handler, a.store, user, false)
	return &b
}

// signedOut is the same app without a session.
func (a *testApp) signedOut() *testApp {
	b := *a
	b.session = nil
	return &b
}

// withoutCSRF is the same session, sending no CSRF token.
func (a *testApp) withoutCSRF() *testApp {
	b := *a
	if a.session != nil {
		ses := *a.session
		ses.csrf = ""
		b.session = &ses
	}
	return &b
}

// withSession wraps h so that every request carries the app's session, for tests that go
// through a real HTTP server.
func (a *testApp) withSession(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.session.apply(r)
		h.ServeHTTP(w, r)
	})
}

// httpGet gets url from a real server with the app's session.
func (a *testApp) httpGet(url string) (*http.Response, error) {
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	a.session.apply(r)
	return http.DefaultClient.Do(r)
}

// testPassword is every test user's password; its hash uses cheap argon2id parameters so
// that signing in costs the tests next to nothing.
const testPassword = "correct horse battery"

var (
	cheapParams  = auth.Params{Memory: 64, Time: 1, Threads: 1}
	testHashOnce sync.Once
	testHash     string
)

func testPasswordHash(tb testing.TB) string {
	tb.Helper()
	testHashOnce.Do(func() { testHash, _ = auth.HashPassword(testPassword, cheapParams) })
	if testHash == "" {
		tb.Fatal("hashing the test password failed")
	}
	return testHash
}

// testSession is a signed-in browser: its cookie and the CSRF token from its pages.
type testSession struct {
	user   string
	cookie *http.Cookie
	csrf   string
}

// apply adds the session cookie and the CSRF header to r, unless r has its own.
func (s *testSession) apply(r *http.Request) {
	if s == nil {
		return
	}
	if _, err := r.Cookie(sessionCookie); err != nil {
		r.AddCookie(s.cookie)
	}
	if s.csrf != "" && r.Header.Get(page.CSRFHeader) == "" {
		r.Header.Set(page.CSRFHeader, s.csrf)
	}
}

// signInTB signs name in through POST /signin, creating the user with testPassword when
// missing, and reads the CSRF token from the layout's meta tag.
func signInTB(tb testing.TB, h http.Handler, st *store.Store, name string, admin bool) *testSession {
	tb.Helper()
	if _, err := st.User(context.Background(), name); errors.Is(err, store.ErrNotFound) {
		if _, err := st.CreateUser(context.Background(), name, testPasswordHash(tb), admin); err != nil {
			tb.Fatalf("creating user %s: %v", name, err)
		}
	}
	form := url.Values{"name": {name}, "password": {testPassword}}
	r := httptest.NewRequest(http.MethodPost, paths.SignIn(""), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		tb.Fatalf("signing in %s: status %d, want 303; body:\n%s", name, w.Code, w.Body)
	}
	ses := &testSession{user: name}
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			ses.cookie = c
		}
	}
	if ses.cookie == nil {
		tb.Fatalf("signing in %s set no %s cookie", name, sessionCookie)
	}
	r = httptest.NewRequest(http.MethodGet, paths.Account(), nil)
	r.AddCookie(ses.cookie)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	doc, err := goquery.NewDocumentFromReader(w.Body)
	if err != nil {
		tb.Fatal(err)
	}
	ses.csrf = doc.Find(`meta[name="csrf-token"]`).AttrOr("content", "")
	if ses.csrf == "" {
		tb.Fatalf("the page after signing in %s has no csrf-token meta tag", name)
	}
	return ses
}

func (a *testApp) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(&lockedWriter{w: a.log}, nil))
}

func newHandler(t *testing.T, cfg Config) http.Handler {
	t.Helper()
	h, err := New(cfg)
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	return h
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

func (a *testApp) do(r *http.Request) *httptest.ResponseRecorder {
	a.t.Helper()
	a.session.apply(r)
	w := httptest.NewRecorder()
	a.handler.ServeHTTP(w, r)
	return w
}

func (a *testApp) get(path string, htmx bool) *httptest.ResponseRecorder {
	a.t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return a.do(r)
}

func (a *testApp) postForm(path string, form url.Values, htmx bool) *httptest.ResponseRecorder {
	a.t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return a.do(r)
}

// upload is a multipart form: fields, and files by field name.
type upload struct {
	fields map[string]string
	files  map[string][]byte
}

func (u upload) body(t *testing.T) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range u.fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for k, content := range u.files {
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

func (a *testApp) postMultipart(path string, u upload, htmx bool) *httptest.ResponseRecorder {
	a.t.Helper()
	body, contentType := u.body(a.t)
	r := httptest.NewRequest(http.MethodPost, path, body)
	r.Header.Set("Content-Type", contentType)
	if htmx {
		r.Header.Set("HX-Request", "true")
	}
	return a.do(r)
}

// createProject creates a project through the store, for tests about other pages.
func (a *testApp) createProject(name string) {
	a.t.Helper()
	if _, err := a.store.CreateProject(context.Background(), name, "a test project"); err != nil {
		a.t.Fatalf("creating project %s: %v", name, err)
	}
}

// importDoc imports doc into project through the handler and fails unless it is accepted.
func (a *testApp) importDoc(project, doc, message string) string {
	a.t.Helper()
	w := a.postMultipart(paths.Blueprints(project), upload{
		fields: map[string]string{"message": message},
		files:  map[string][]byte{"document": []byte(doc)},
	}, false)
	if w.Code != http.StatusSeeOther {
		a.t.Fatalf("importing into %s: status %d, want 303; body:\n%s", project, w.Code, w.Body)
	}
	return w.Header().Get("Location")
}

func (a *testApp) blueprintCount(project string) int {
	a.t.Helper()
	bs, err := a.store.Blueprints(context.Background(), project)
	if err != nil {
		a.t.Fatalf("listing blueprints: %v", err)
	}
	return len(bs)
}

func parseHTML(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatalf("parsing the HTML answer: %v", err)
	}
	return doc
}

// byTestID finds the elements with a data-testid.
func byTestID(s interface {
	Find(string) *goquery.Selection
}, id string) *goquery.Selection {
	return s.Find(`[data-testid="` + id + `"]`)
}

func wantStatus(t *testing.T, w *httptest.ResponseRecorder, want int) {
	t.Helper()
	if w.Code != want {
		t.Fatalf("status %d, want %d; body:\n%s", w.Code, want, w.Body)
	}
}

// wantOne finds exactly one element by data-testid and returns its text, trimmed.
func wantOne(t *testing.T, doc *goquery.Document, id string) string {
	t.Helper()
	sel := byTestID(doc, id)
	if sel.Length() != 1 {
		t.Fatalf("found %d elements with data-testid=%q, want 1", sel.Length(), id)
	}
	return strings.TrimSpace(sel.Text())
}

// wantFullPage checks that the answer is a whole page, with the layout.
func wantFullPage(t *testing.T, w *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/html; charset=utf-8", ct)
	}
	doc := parseHTML(t, w)
	if byTestID(doc, "site-header").Length() != 1 || byTestID(doc, "main").Length() != 1 {
		t.Fatalf("the answer is not a whole page:\n%s", w.Body)
	}
	return doc
}

// wantFragment checks that the answer is only the element with the given id, no layout.
func wantFragment(t *testing.T, w *httptest.ResponseRecorder, id string) *goquery.Document {
	t.Helper()
	body := strings.TrimSpace(w.Body.String())
	if strings.Contains(body, "<html") || strings.Contains(body, `data-testid="site-header"`) {
		t.Fatalf("an htmx answer carries the layout:\n%s", body)
	}
	doc := parseHTML(t, w)
	root := doc.Find("body").Children()
	if root.Length() != 1 || root.AttrOr("id", "") != id {
		t.Fatalf("the fragment is not the single element #%s:\n%s", id, body)
	}
	return doc
}

// sessionCookie is the session cookie's name, for the tests still in this package.
const sessionCookie = account.SessionCookie

// signIn signs the browser in through the sign-in page, as a user does, and waits for the
// projects page.
func signIn(t *testing.T, ctx context.Context, baseURL, name, password string) {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Navigate(baseURL+paths.SignIn("")),
		chromedp.WaitVisible(testIDSel("signin-form")),
		chromedp.SendKeys(testIDSel("signin-name"), name),
		chromedp.SendKeys(testIDSel("signin-password"), password),
		chromedp.Click(testIDSel("signin-submit")),
		chromedp.WaitVisible(testIDSel("signed-in-user")),
	)
	if err != nil {
		screenshot(t, ctx, "signin-failed")
		t.Fatalf("signing in as %s: %v", name, err)
	}
}
