package web

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
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
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
func newClockedApp(t *testing.T) (*testApp, *testClock) {
	t.Helper()
	a := newTestApp(t)
	clock := &testClock{now: time.Now()}
	a.handler = newHandler(t, Config{Store: a.store, Catalog: testCatalog(t), Logger: a.logger(), PasswordParams: cheapParams, Now: clock.Now})
	a.signInAdmin()
	return a, clock
}

// signInForm posts the sign-in form as a signed-out browser does.
func (a *testApp) signInForm(name, password string) *httptest.ResponseRecorder {
	a.t.Helper()
	return a.signedOut().postForm(paths.SignIn(""), url.Values{"name": {name}, "password": {password}}, false)
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for name, b := range map[string]*testApp{"no token": a.withoutCSRF(), "wrong token": a.withCSRF("not-the-token")} {
		w := b.postForm(paths.Projects(), url.Values{"name": {"payments"}}, false)
		wantStatus(t, w, http.StatusForbidden)
		if got := wantOne(t, wantFullPage(t, w), "error-title"); got != "Request refused" {
			t.Errorf("%s: error title %q", name, got)
		}
		w = b.postForm(paths.Projects(), url.Values{"name": {"payments"}}, true)
		wantStatus(t, w, http.StatusForbidden)
	}
	if _, err := a.store.Project(context.Background(), "payments"); err == nil {
		t.Fatal("a post without a valid CSRF token created the project")
	}

	// A plain form carries the token as its first field instead of the header.
	form := url.Values{page.CSRFField: {a.session.csrf}, "name": {"payments"}}
	w := a.withoutCSRF().postForm(paths.Projects(), form, false)
	wantStatus(t, w, http.StatusSeeOther)
	w = a.withoutCSRF().postMultipart(paths.Blueprints("payments"), upload{
		fields: map[string]string{page.CSRFField: a.session.csrf, "message": "first"},
		files:  map[string][]byte{"document": []byte(validDoc)},
	}, false)
	wantStatus(t, w, http.StatusSeeOther)
	if n := a.blueprintCount("payments"); n != 1 {
		t.Errorf("%d blueprints after a multipart import with the token field, want 1", n)
	}

	// Every form that posts carries the token.
	doc := parseHTML(t, a.get(paths.Project("payments"), false))
	doc.Find(`form[method="post"]`).Each(func(_ int, f *goquery.Selection) {
		if f.Find(`input[name="csrf_token"]`).AttrOr("value", "") != a.session.csrf {
			t.Errorf("form %s has no CSRF token", f.AttrOr("data-testid", "?"))
		}
	})
}

func (a *testApp) withCSRF(token string) *testApp {
	b := *a
	ses := *a.session
	ses.csrf = token
	b.session = &ses
	return &b
}

func TestViewerCannotEdit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("payments")
	a.importDoc("payments", validDoc, "first")
	vera := a.as("vera")
	if err := a.store.SetMember(context.Background(), "payments", "vera", "viewer"); err != nil {
		t.Fatal(err)
	}

	wantStatus(t, vera.get(paths.Project("payments"), false), http.StatusOK)
	wantStatus(t, vera.get(paths.Blueprint("payments", "demo"), false), http.StatusOK)
	doc := wantFullPage(t, vera.get(paths.Project("payments"), false))
	if byTestID(doc, "import-form").Length() != 0 || byTestID(doc, "new-blueprint-form").Length() != 0 {
		t.Error("a viewer is offered the import and new-blueprint forms")
	}

	w := vera.get(paths.Edit("payments", "demo"), false)
	wantStatus(t, w, http.StatusForbidden)
	if got := wantOne(t, wantFullPage(t, w), "error-message"); !strings.Contains(got, "You need the editor role") {
		t.Errorf("403 message %q", got)
	}
	wantStatus(t, vera.postForm(paths.NewBlueprint("payments"), url.Values{"name": {"other"}}, false), http.StatusForbidden)
	wantStatus(t, vera.postMultipart(paths.Blueprints("payments"), upload{files: map[string][]byte{"document": []byte(changedDoc)}}, false), http.StatusForbidden)
	wantStatus(t, vera.postForm(paths.Edit("payments", "demo")+"/discard", nil, false), http.StatusForbidden)
	wantStatus(t, vera.get(paths.Members("payments"), false), http.StatusForbidden)
	if n := a.blueprintCount("payments"); n != 1 {
		t.Errorf("%d blueprints, want 1", n)
	}
	if vs, _ := a.store.BlueprintVersions(context.Background(), "payments", "demo"); len(vs) != 1 {
		t.Errorf("%d versions after a viewer's import, want 1", len(vs))
	}

	// An editor may.
	if err := a.store.SetMember(context.Background(), "payments", "vera", "editor"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, vera.get(paths.Edit("payments", "demo"), false), http.StatusOK)
	wantStatus(t, vera.postForm(paths.NewBlueprint("payments"), url.Values{"name": {"other"}}, false), http.StatusSeeOther)
	// Global-admin pages stay closed.
	wantStatus(t, vera.get(paths.AdminUsers(), false), http.StatusForbidden)
	wantStatus(t, vera.postForm(paths.AdminUsers(), url.Values{"name": {"evil"}, "password": {"long enough password"}}, false), http.StatusForbidden)
}

func TestSignedOutSeesOnlySignIn(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	a.createProject("payments")
	out := a.signedOut()

	for _, path := range []string{"/", paths.Projects(), paths.Project("payments"), paths.Catalog("aks"), paths.AdminUsers(), "/nowhere"} {
		w := out.get(path, false)
		wantStatus(t, w, http.StatusSeeOther)
		if got, want := w.Header().Get("Location"), paths.SignIn(path); got != want {
			t.Errorf("GET %s redirects to %q, want %q", path, got, want)
		}
	}
	r := httptest.NewRequest(http.MethodGet, paths.Catalog("aks"), nil)
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Current-URL", "http://example.com/catalog?q=aks")
	w := out.do(r)
	wantStatus(t, w, http.StatusUnauthorized)
	if got := w.Header().Get("HX-Redirect"); got != paths.SignIn("/catalog?q=aks") {
		t.Errorf("htmx HX-Redirect %q", got)
	}
	w = out.postForm(paths.Projects(), url.Values{"name": {"sneaky"}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	if _, err := a.store.Project(context.Background(), "sneaky"); err == nil {
		t.Error("a signed-out post created a project")
	}

	w = out.get(paths.SignIn("/projects/payments"), false)
	wantStatus(t, w, http.StatusOK)
	doc := wantFullPage(t, w)
	wantOne(t, doc, "signin-form")
	if byTestID(doc, "nav").Length() != 0 || byTestID(doc, "user-menu").Length() != 0 {
		t.Error("the sign-in page shows the navigation to a signed-out visitor")
	}
	if got := doc.Find(`input[name="next"]`).AttrOr("value", ""); got != "/projects/payments" {
		t.Errorf("next field %q", got)
	}
	wantStatus(t, out.get(paths.Health(), false), http.StatusOK)

	// After signing in, next is followed when it is local.
	w = out.postForm(paths.SignIn(""), url.Values{"name": {"admin"}, "password": {testPassword}, "next": {"/projects/payments"}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	if got := w.Header().Get("Location"); got != "/projects/payments" {
		t.Errorf("after sign-in: Location %q", got)
	}
	w = out.postForm(paths.SignIn(""), url.Values{"name": {"admin"}, "password": {testPassword}, "next": {"//evil.example/x"}}, false)
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

func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	a, clock := newClockedApp(t)
	for i := 1; i <= 10; i++ {
		w := a.signInForm("admin", "wrong password")
		want := http.StatusUnauthorized
		if i > signinMaxFailures {
			want = http.StatusTooManyRequests
		}
		wantStatus(t, w, want)
		if want == http.StatusTooManyRequests {
			if got := wantOne(t, wantFullPage(t, w), "signin-error"); got != "Too many failed sign-ins; try again in 15 minutes." {
				t.Errorf("attempt %d: %q", i, got)
			}
		}
	}
	wantStatus(t, a.signInForm("admin", testPassword), http.StatusTooManyRequests)
	clock.add(10 * time.Minute)
	w := a.signInForm("admin", testPassword)
	wantStatus(t, w, http.StatusTooManyRequests)
	if got := wantOne(t, wantFullPage(t, w), "signin-error"); !strings.Contains(got, "try again in 5 minutes") {
		t.Errorf("after 10 minutes: %q", got)
	}
	clock.add(5 * time.Minute)
	wantStatus(t, a.signInForm("admin", testPassword), http.StatusSeeOther)

	// Failures under several names from one address block that address too.
	for i := range signinMaxFailures {
		wantStatus(t, a.signInForm("nobody"+string(rune('a'+i)), "x"), http.StatusUnauthorized)
	}
	wantStatus(t, a.signInForm("admin", testPassword), http.StatusTooManyRequests)
}

func TestProjectInvisibleToNonMembers(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ann, bob := a.as("ann"), a.as("bob")
	wantStatus(t, ann.postForm(paths.Projects(), url.Values{"name": {"secret"}}, false), http.StatusSeeOther)
	if role, err := a.store.MemberRole(context.Background(), "secret", "ann"); err != nil || role != "admin" {
		t.Errorf("the creator's role = %q, %v; want admin", role, err)
	}
	ann.importDoc("secret", validDoc, "first")

	projectNames := func(b *testApp) []string {
		var names []string
		byTestID(wantFullPage(t, b.get(paths.Projects(), false)), "project-row").Each(func(_ int, s *goquery.Selection) {
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
		w := bob.get(path, false)
		wantStatus(t, w, http.StatusNotFound)
	}
	wantStatus(t, bob.postMultipart(paths.Blueprints("secret"), upload{files: map[string][]byte{"document": []byte(changedDoc)}}, false), http.StatusNotFound)
	// The same answer as a project that does not exist.
	wantStatus(t, bob.get(paths.Project("no-such"), false), http.StatusNotFound)

	// Ann makes bob a viewer on the members page; then he sees it.
	w := ann.postForm(paths.Members("secret"), url.Values{"user": {"bob"}, "role": {"viewer"}}, false)
	wantStatus(t, w, http.StatusSeeOther)
	wantStatus(t, bob.get(paths.Project("secret"), false), http.StatusOK)
	doc := wantFullPage(t, ann.get(paths.Members("secret"), false))
	if n := byTestID(doc, "member-row").Length(); n != 2 {
		t.Errorf("%d member rows, want 2", n)
	}
	// The only admin cannot step down; removing bob works.
	wantStatus(t, ann.postForm(paths.Member("secret", "ann"), url.Values{"role": {"editor"}}, false), http.StatusUnprocessableEntity)
	wantStatus(t, ann.postForm(paths.MemberRemove("secret", "bob"), nil, false), http.StatusSeeOther)
	wantStatus(t, bob.get(paths.Project("secret"), false), http.StatusNotFound)
}

func TestAuditLogRecordsSignInAndImport(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	wantStatus(t, a.signInForm("admin", "wrong password"), http.StatusUnauthorized)
	a.createProject("payments")
	a.importDoc("payments", validDoc, "first")

	doc := wantFullPage(t, a.get(paths.AdminAudit(), false))
	got := map[string]string{}
	byTestID(doc, "audit-row").Each(func(_ int, s *goquery.Selection) {
		got[s.AttrOr("data-action", "")] = strings.TrimSpace(byTestID(s, "audit-user").Text()) + " " +
			strings.TrimSpace(byTestID(s, "audit-target").Text()) + " " + strings.TrimSpace(byTestID(s, "audit-detail").Text())
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

	doc = wantFullPage(t, a.get(paths.ProjectAudit("payments"), false))
	if n := byTestID(doc, "audit-row").Length(); n != 1 {
		t.Errorf("the project's audit log has %d rows, want 1 (the import)", n)
	}
	// Saving from the editor is recorded by the route.
	wantStatus(t, a.postForm(paths.NewBlueprint("payments"), url.Values{"name": {"fresh"}}, false), http.StatusSeeOther)
	es, err := a.store.AuditLog(context.Background(), "payments", 10)
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
	a := &testApp{t: t, store: st, log: &bytes.Buffer{}}
	a.handler = newHandler(t, Config{Store: st, Catalog: testCatalog(t), Logger: a.logger(), PasswordParams: cheapParams})
	a.signInAdmin()

	const password = "Tr0ub4dor&3-unique-marker"
	w := a.postForm(paths.AdminUsers(), url.Values{"name": {"carol"}, "password": {password}, "admin": {"yes"}}, false)
	wantStatus(t, w, http.StatusOK)
	wantOne(t, wantFullPage(t, w), "user-created")
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
	h := newHandler(t, Config{Store: st2, Catalog: testCatalog(t), Logger: a.logger()})
	b := &testApp{t: t, store: st2, handler: h, log: a.log}
	wantStatus(t, b.signInForm("carol", password), http.StatusSeeOther)
}

func TestSessionCookieAndSignOut(t *testing.T) {
	t.Parallel()
	a, clock := newClockedApp(t)
	w := a.signInForm("admin", testPassword)
	wantStatus(t, w, http.StatusSeeOther)
	c := w.Result().Cookies()[0]
	if c.Name != sessionCookie || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || len(c.Value) != 43 {
		t.Errorf("session cookie %+v", c)
	}
	hash := a.store // the raw token is never stored
	if _, err := hash.Session(context.Background(), c.Value); err == nil {
		t.Error("the store finds a session by the raw token")
	}

	secure := newHandler(t, Config{Store: a.store, Catalog: testCatalog(t), Logger: a.logger(), SecureCookies: true})
	r := httptest.NewRequest(http.MethodPost, paths.SignIn(""), strings.NewReader(url.Values{"name": {"admin"}, "password": {testPassword}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	secure.ServeHTTP(rec, r)
	if cs := rec.Result().Cookies(); len(cs) != 1 || !cs[0].Secure {
		t.Errorf("with SecureCookies the cookie is %+v", cs)
	}

	// Idle for 12 hours: signed out.
	clock.add(11 * time.Hour)
	wantStatus(t, a.get(paths.Projects(), false), http.StatusOK)
	clock.add(11 * time.Hour)
	wantStatus(t, a.get(paths.Projects(), false), http.StatusOK) // the last request kept it alive
	clock.add(12 * time.Hour)
	wantStatus(t, a.get(paths.Projects(), false), http.StatusSeeOther)

	// Sign-out deletes the session: the old cookie no longer works.
	a.signInAdmin()
	w = a.postForm(paths.SignOut(), nil, false)
	wantStatus(t, w, http.StatusSeeOther)
	if got := w.Header().Get("Location"); got != paths.SignIn("") {
		t.Errorf("sign-out redirects to %q", got)
	}
	wantStatus(t, a.get(paths.Projects(), false), http.StatusSeeOther)
	es, _ := a.store.AuditLog(context.Background(), "", 1)
	if len(es) != 1 || es[0].Action != "signout" {
		t.Errorf("the last audit entry is %+v, want signout", es)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	ann := a.as("ann")
	other := a.as("ann") // a second browser
	const next = "a brand new password"
	w := ann.postForm(paths.AccountPassword(), url.Values{"current": {"wrong"}, "new": {next}, "confirm": {next}}, false)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	w = ann.postForm(paths.AccountPassword(), url.Values{"current": {testPassword}, "new": {"short"}, "confirm": {"short"}}, false)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	w = ann.postForm(paths.AccountPassword(), url.Values{"current": {testPassword}, "new": {next}, "confirm": {next}}, false)
	wantStatus(t, w, http.StatusOK)
	wantOne(t, wantFullPage(t, w), "password-changed")
	wantStatus(t, ann.get(paths.Account(), false), http.StatusOK)
	wantStatus(t, other.get(paths.Account(), false), http.StatusSeeOther)
	wantStatus(t, a.signInForm("ann", testPassword), http.StatusUnauthorized)
	wantStatus(t, a.signInForm("ann", next), http.StatusSeeOther)
}
