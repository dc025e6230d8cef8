package account_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/account"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newClockedApp is newTestApp with a clock the test moves.
func newClockedApp(t *testing.T) (*webtest.App, *testClock) {
	t.Helper()
	a := webtest.NewApp(t)
	clock := &testClock{now: time.Now()}
	a.Handler = webtest.NewHandler(t, web.Config{Store: a.Store, Catalog: webtest.Catalog(t), Logger: a.Logger(), PasswordParams: webtest.CheapParams, Now: clock.Now})
	a.SignInAdmin()
	return a, clock
}

// signInForm posts the sign-in form as a signed-out browser does.
func signInForm(a *webtest.App, name, password string) *httptest.ResponseRecorder {
	a.T.Helper()
	return a.SignedOut().PostForm(paths.SignIn(""), url.Values{"name": {name}, "password": {password}}, false)
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	for name, b := range map[string]*webtest.App{"no token": a.WithoutCSRF(), "wrong token": withCSRF(a, "not-the-token")} {
		w := b.PostForm(paths.Projects(), url.Values{"name": {"payments"}}, false)
		webtest.WantStatus(t, w, http.StatusForbidden)
		if got := webtest.WantOne(t, webtest.WantFullPage(t, w), "error-title"); got != "Request refused" {
			t.Errorf("%s: error title %q", name, got)
		}
		w = b.PostForm(paths.Projects(), url.Values{"name": {"payments"}}, true)
		webtest.WantStatus(t, w, http.StatusForbidden)
	}
	if _, err := a.Store.Project(context.Background(), "payments"); err == nil {
		t.Fatal("a post without a valid CSRF token created the project")
	}

	// A plain form carries the token as its first field instead of the header.
	form := url.Values{page.CSRFField: {a.Session.CSRF}, "name": {"payments"}}
	w := a.WithoutCSRF().PostForm(paths.Projects(), form, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	w = a.WithoutCSRF().PostMultipart(paths.Blueprints("payments"), webtest.Upload{
		Fields: map[string]string{page.CSRFField: a.Session.CSRF, "message": "first"},
		Files:  map[string][]byte{"document": []byte(webtest.ValidDoc)},
	}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if n := a.BlueprintCount("payments"); n != 1 {
		t.Errorf("%d blueprints after a multipart import with the token field, want 1", n)
	}

	// Every form that posts carries the token.
	doc := webtest.ParseHTML(t, a.Get(paths.Project("payments"), false))
	doc.Find(`form[method="post"]`).Each(func(_ int, f *goquery.Selection) {
		if f.Find(`input[name="csrf_token"]`).AttrOr("value", "") != a.Session.CSRF {
			t.Errorf("form %s has no CSRF token", f.AttrOr("data-testid", "?"))
		}
	})
}

func withCSRF(a *webtest.App, token string) *webtest.App {
	b := *a
	ses := *a.Session
	ses.CSRF = token
	b.Session = &ses
	return &b
}

func TestViewerCannotEdit(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("payments")
	a.ImportDoc("payments", webtest.ValidDoc, "first")
	vera := a.As("vera")
	if err := a.Store.SetMember(context.Background(), "payments", "vera", "viewer"); err != nil {
		t.Fatal(err)
	}

	webtest.WantStatus(t, vera.Get(paths.Project("payments"), false), http.StatusOK)
	webtest.WantStatus(t, vera.Get(paths.Blueprint("payments", "demo"), false), http.StatusOK)
	doc := webtest.WantFullPage(t, vera.Get(paths.Project("payments"), false))
	if webtest.ByTestID(doc, "import-form").Length() != 0 || webtest.ByTestID(doc, "new-blueprint-form").Length() != 0 {
		t.Error("a viewer is offered the import and new-blueprint forms")
	}

	w := vera.Get(paths.Edit("payments", "demo"), false)
	webtest.WantStatus(t, w, http.StatusForbidden)
	if got := webtest.WantOne(t, webtest.WantFullPage(t, w), "error-message"); !strings.Contains(got, "You need the editor role") {
		t.Errorf("403 message %q", got)
	}
	webtest.WantStatus(t, vera.PostForm(paths.NewBlueprint("payments"), url.Values{"name": {"other"}}, false), http.StatusForbidden)
	webtest.WantStatus(t, vera.PostMultipart(paths.Blueprints("payments"), webtest.Upload{Files: map[string][]byte{"document": []byte(webtest.ChangedDoc)}}, false), http.StatusForbidden)
	webtest.WantStatus(t, vera.PostForm(paths.Edit("payments", "demo")+"/discard", nil, false), http.StatusForbidden)
	webtest.WantStatus(t, vera.Get(paths.Members("payments"), false), http.StatusForbidden)
	if n := a.BlueprintCount("payments"); n != 1 {
		t.Errorf("%d blueprints, want 1", n)
	}
	if vs, _ := a.Store.BlueprintVersions(context.Background(), "payments", "demo"); len(vs) != 1 {
		t.Errorf("%d versions after a viewer's import, want 1", len(vs))
	}

	// An editor may.
	if err := a.Store.SetMember(context.Background(), "payments", "vera", "editor"); err != nil {
		t.Fatal(err)
	}
	webtest.WantStatus(t, vera.Get(paths.Edit("payments", "demo"), false), http.StatusOK)
	webtest.WantStatus(t, vera.PostForm(paths.NewBlueprint("payments"), url.Values{"name": {"other"}}, false), http.StatusSeeOther)
	// Global-admin pages stay closed.
	webtest.WantStatus(t, vera.Get(paths.AdminUsers(), false), http.StatusForbidden)
	webtest.WantStatus(t, vera.PostForm(paths.AdminUsers(), url.Values{"name": {"evil"}, "password": {"long enough password"}}, false), http.StatusForbidden)
}

func TestSignedOutSeesOnlySignIn(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("payments")
	out := a.SignedOut()

	for _, path := range []string{"/", paths.Projects(), paths.Project("payments"), paths.Catalog("aks"), paths.AdminUsers(), "/nowhere"} {
		w := out.Get(path, false)
		webtest.WantStatus(t, w, http.StatusSeeOther)
		if got, want := w.Header().Get("Location"), paths.SignIn(path); got != want {
			t.Errorf("GET %s redirects to %q, want %q", path, got, want)
		}
	}
	r := httptest.NewRequest(http.MethodGet, paths.Catalog("aks"), nil)
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Current-URL", "http://example.com/catalog?q=aks")
	w := out.Do(r)
	webtest.WantStatus(t, w, http.StatusUnauthorized)
	if got := w.Header().Get("HX-Redirect"); got != paths.SignIn("/catalog?q=aks") {
		t.Errorf("htmx HX-Redirect %q", got)
	}
	w = out.PostForm(paths.Projects(), url.Values{"name": {"sneaky"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if _, err := a.Store.Project(context.Background(), "sneaky"); err == nil {
		t.Error("a signed-out post created a project")
	}

	w = out.Get(paths.SignIn("/projects/payments"), false)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFullPage(t, w)
	webtest.WantOne(t, doc, "signin-form")
	if webtest.ByTestID(doc, "nav").Length() != 0 || webtest.ByTestID(doc, "user-menu").Length() != 0 {
		t.Error("the sign-in page shows the navigation to a signed-out visitor")
	}
	if got := doc.Find(`input[name="next"]`).AttrOr("value", ""); got != "/projects/payments" {
		t.Errorf("next field %q", got)
	}
	webtest.WantStatus(t, out.Get(paths.Health(), false), http.StatusOK)

	// After signing in, next is followed when it is local.
	w = out.PostForm(paths.SignIn(""), url.Values{"name": {"admin"}, "password": {webtest.Password}, "next": {"/projects/payments"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if got := w.Header().Get("Location"); got != "/projects/payments" {
		t.Errorf("after sign-in: Location %q", got)
	}
	w = out.PostForm(paths.SignIn(""), url.Values{"name": {"admin"}, "password": {webtest.Password}, "next": {"//evil.example/x"}}, false)
	if got := w.Header().Get("Location"); got != paths.Projects() {
		t.Errorf("an off-site next led to %q", got)
	}
}

func TestSafeNext(t *testing.T) {
	t.Parallel()
	for next, want := range map[string]string{
		"/projects/a?x=1":        "/projects/a?x=1",
		"":                       "",
		"projects":               "",
		"//evil.example":         "",
		"/\\evil.example":        "",
		"https://evil.example/":  "",
		"/signin?next=/projects": "",
		"/a\r\nSet-Cookie: x":    "",
	} {
		if got := page.SafeNext(next); got != want {
			t.Errorf("page.SafeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestProjectInvisibleToNonMembers(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	ann, bob := a.As("ann"), a.As("bob")
	webtest.WantStatus(t, ann.PostForm(paths.Projects(), url.Values{"name": {"secret"}}, false), http.StatusSeeOther)
	if role, err := a.Store.MemberRole(context.Background(), "secret", "ann"); err != nil || role != "admin" {
		t.Errorf("the creator's role = %q, %v; want admin", role, err)
	}
	ann.ImportDoc("secret", webtest.ValidDoc, "first")

	projectNames := func(b *webtest.App) []string {
		var names []string
		webtest.ByTestID(webtest.WantFullPage(t, b.Get(paths.Projects(), false)), "project-row").Each(func(_ int, s *goquery.Selection) {
			names = append(names, s.AttrOr("data-project", ""))
		})
		return names
	}
	if got := projectNames(ann); len(got) != 1 || got[0] != "secret" {
		t.Errorf("ann's projects: %v", got)
	}
	if got := projectNames(bob); len(got) != 0 {
		t.Errorf("bob's projects: %v", got)
	}
	if got := projectNames(a); len(got) != 1 {
		t.Errorf("a global admin's projects: %v", got)
	}
	for _, path := range []string{paths.Project("secret"), paths.Blueprint("secret", "demo"), paths.VersionZip("secret", "demo", 1), paths.Edit("secret", "demo"), paths.Members("secret")} {
		w := bob.Get(path, false)
		webtest.WantStatus(t, w, http.StatusNotFound)
	}
	webtest.WantStatus(t, bob.PostMultipart(paths.Blueprints("secret"), webtest.Upload{Files: map[string][]byte{"document": []byte(webtest.ChangedDoc)}}, false), http.StatusNotFound)
	// The same answer as a project that does not exist.
	webtest.WantStatus(t, bob.Get(paths.Project("no-such"), false), http.StatusNotFound)

	// Ann makes bob a viewer on the members page; then he sees it.
	w := ann.PostForm(paths.Members("secret"), url.Values{"user": {"bob"}, "role": {"viewer"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	webtest.WantStatus(t, bob.Get(paths.Project("secret"), false), http.StatusOK)
	doc := webtest.WantFullPage(t, ann.Get(paths.Members("secret"), false))
	if n := webtest.ByTestID(doc, "member-row").Length(); n != 2 {
		t.Errorf("%d member rows, want 2", n)
	}
	// The only admin cannot step down; removing bob works.
	webtest.WantStatus(t, ann.PostForm(paths.Member("secret", "ann"), url.Values{"role": {"editor"}}, false), http.StatusUnprocessableEntity)
	webtest.WantStatus(t, ann.PostForm(paths.MemberRemove("secret", "bob"), nil, false), http.StatusSeeOther)
	webtest.WantStatus(t, bob.Get(paths.Project("secret"), false), http.StatusNotFound)
}

func TestAuditLogRecordsSignInAndImport(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	webtest.WantStatus(t, signInForm(a, "admin", "wrong password"), http.StatusUnauthorized)
	a.CreateProject("payments")
	a.ImportDoc("payments", webtest.ValidDoc, "first")

	doc := webtest.WantFullPage(t, a.Get(paths.AdminAudit(), false))
	got := map[string]string{}
	webtest.ByTestID(doc, "audit-row").Each(func(_ int, s *goquery.Selection) {
		got[s.AttrOr("data-action", "")] = strings.TrimSpace(webtest.ByTestID(s, "audit-user").Text()) + " " +
			strings.TrimSpace(webtest.ByTestID(s, "audit-target").Text()) + " " + strings.TrimSpace(webtest.ByTestID(s, "audit-detail").Text())
	})
	for action, want := range map[string]string{
		"signin":           "admin admin from 192.0.2.1",
		"signin.failure":   "admin admin wrong user name or password, from 192.0.2.1",
		"blueprint.import": "admin demo version 1",
	} {
		if got[action] != want {
			t.Errorf("audit %s = %q, want %q", action, got[action], want)
		}
	}

	doc = webtest.WantFullPage(t, a.Get(paths.ProjectAudit("payments"), false))
	if n := webtest.ByTestID(doc, "audit-row").Length(); n != 1 {
		t.Errorf("the project's audit log has %d rows, want 1 (the import)", n)
	}
	// Saving from the editor is recorded by the route.
	webtest.WantStatus(t, a.PostForm(paths.NewBlueprint("payments"), url.Values{"name": {"fresh"}}, false), http.StatusSeeOther)
	es, err := a.Store.AuditLog(context.Background(), "payments", 10)
	if err != nil || len(es) != 2 || es[0].Action != "blueprint.create" || es[0].Target != "fresh" {
		t.Errorf("after creating a blueprint: %+v, %v", es, err)
	}
}

func TestPasswordIsStoredAsArgon2id(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := &webtest.App{T: t, Store: st, Log: &bytes.Buffer{}}
	a.Handler = webtest.NewHandler(t, web.Config{Store: st, Catalog: webtest.Catalog(t), Logger: a.Logger(), PasswordParams: webtest.CheapParams})
	a.SignInAdmin()

	const password = "Tr0ub4dor&3-unique-marker"
	w := a.PostForm(paths.AdminUsers(), url.Values{"name": {"carol"}, "password": {password}, "admin": {"yes"}}, false)
	webtest.WantStatus(t, w, http.StatusOK)
	webtest.WantOne(t, webtest.WantFullPage(t, w), "user-created")
	// Closing checkpoints the WAL; both files are read anyway.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for _, f := range []string{"cloudoven.db", "cloudoven.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		raw = append(raw, b...)
	}
	if bytes.Contains(raw, []byte(password)) {
		t.Fatal("the database file holds the password in clear")
	}
	if !bytes.Contains(raw, []byte("$argon2id$v=19$m=64,t=1,p=1$")) {
		t.Error("the database file holds no argon2id hash")
	}
	// carol signs in with it.
	st2, err := store.Open(context.Background(), filepath.Join(dir, "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st2.Close() })
	h := webtest.NewHandler(t, web.Config{Store: st2, Catalog: webtest.Catalog(t), Logger: a.Logger()})
	b := &webtest.App{T: t, Store: st2, Handler: h, Log: a.Log}
	webtest.WantStatus(t, signInForm(b, "carol", password), http.StatusSeeOther)
}

func TestSessionCookieAndSignOut(t *testing.T) {
	t.Parallel()
	a, clock := newClockedApp(t)
	w := signInForm(a, "admin", webtest.Password)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	c := w.Result().Cookies()[0]
	if c.Name != account.SessionCookie || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || len(c.Value) != 43 {
		t.Errorf("session cookie %+v", c)
	}
	hash := a.Store // the raw token is never stored
	if _, err := hash.Session(context.Background(), c.Value); err == nil {
		t.Error("the store finds a session by the raw token")
	}

	secure := webtest.NewHandler(t, web.Config{Store: a.Store, Catalog: webtest.Catalog(t), Logger: a.Logger(), SecureCookies: true})
	r := httptest.NewRequest(http.MethodPost, paths.SignIn(""), strings.NewReader(url.Values{"name": {"admin"}, "password": {webtest.Password}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	secure.ServeHTTP(rec, r)
	if cs := rec.Result().Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Errorf("with SecureCookies the cookie is %+v", cs)
	}

	// Idle for 12 hours: signed out.
	clock.add(11 * time.Hour)
	webtest.WantStatus(t, a.Get(paths.Projects(), false), http.StatusOK)
	clock.add(11 * time.Hour)
	webtest.WantStatus(t, a.Get(paths.Projects(), false), http.StatusOK) // the last request kept it alive
	clock.add(12 * time.Hour)
	webtest.WantStatus(t, a.Get(paths.Projects(), false), http.StatusSeeOther)

	// Sign-out deletes the session: the old cookie no longer works.
	a.SignInAdmin()
	w = a.PostForm(paths.SignOut(), nil, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	if got := w.Header().Get("Location"); got != paths.SignIn("") {
		t.Errorf("sign-out redirects to %q", got)
	}
	webtest.WantStatus(t, a.Get(paths.Projects(), false), http.StatusSeeOther)
	es, _ := a.Store.AuditLog(context.Background(), "", 1)
	if len(es) != 1 || es[0].Action != "signout" {
		t.Errorf("the last audit entry is %+v, want signout", es)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	ann := a.As("ann")
	other := a.As("ann") // a second browser
	const next = "a brand new password"
	w := ann.PostForm(paths.AccountPassword(), url.Values{"current": {"wrong"}, "new": {next}, "confirm": {next}}, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	w = ann.PostForm(paths.AccountPassword(), url.Values{"current": {webtest.Password}, "new": {"short"}, "confirm": {"short"}}, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	w = ann.PostForm(paths.AccountPassword(), url.Values{"current": {webtest.Password}, "new": {next}, "confirm": {next}}, false)
	webtest.WantStatus(t, w, http.StatusOK)
	webtest.WantOne(t, webtest.WantFullPage(t, w), "password-changed")
	webtest.WantStatus(t, ann.Get(paths.Account(), false), http.StatusOK)
	webtest.WantStatus(t, other.Get(paths.Account(), false), http.StatusSeeOther)
	webtest.WantStatus(t, signInForm(a, "ann", webtest.Password), http.StatusUnauthorized)
	webtest.WantStatus(t, signInForm(a, "ann", next), http.StatusSeeOther)
}
