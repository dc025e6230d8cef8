package account_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// signInFrom posts the sign-in form from a client at addr, as a signed-out browser does.
func signInFrom(a *webtest.App, name, password, addr string) *httptest.ResponseRecorder {
	a.T.Helper()
	form := url.Values{"name": {name}, "password": {password}}
	r := httptest.NewRequest(http.MethodPost, paths.SignIn(""), strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	a.Handler.ServeHTTP(w, r)
	return w
}

// wantRefused checks a 429 that asks to wait wait, in its Retry-After header and its text.
func wantRefused(t *testing.T, w *httptest.ResponseRecorder, wait string, retryAfter int) {
	t.Helper()
	webtest.WantStatus(t, w, http.StatusTooManyRequests)
	if got := w.Header().Get("Retry-After"); got != fmt.Sprint(retryAfter) {
		t.Errorf("Retry-After %q, want %d", got, retryAfter)
	}
	if got := webtest.WantOne(t, webtest.WantFullPage(t, w), "signin-error"); got != "Too many failed sign-ins; try again in "+wait+"." {
		t.Errorf("refusal %q, want it to say %s", got, wait)
	}
}

// The address every webtest sign-in comes from (httptest's default remote address).
const homeAddr = "192.0.2.1"

func TestSignInFailuresElsewhereDoNotLockTheUserOut(t *testing.T) {
	t.Parallel()
	a, _ := newClockedApp(t)
	for i := 1; i <= 5; i++ {
		webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", fmt.Sprintf("203.0.113.%d", i)), http.StatusUnauthorized)
	}
	// The right password from a sixth address, where admin never signed in before.
	webtest.WantStatus(t, signInFrom(a, "admin", webtest.Password, "203.0.113.6"), http.StatusSeeOther)
}

func TestSignInFromOneAddressWaitsLongerAfterEachFailure(t *testing.T) {
	t.Parallel()
	a, clock := newClockedApp(t)
	const addr = "203.0.113.9"
	for i := 1; i <= 3; i++ {
		webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", addr), http.StatusUnauthorized)
	}
	for _, wait := range []int{1, 2, 4, 8} {
		unit := "seconds"
		if wait == 1 {
			unit = "second"
		}
		// Even the right password waits: the delay says nothing about the guess.
		wantRefused(t, signInFrom(a, "admin", webtest.Password, addr), fmt.Sprintf("%d %s", wait, unit), wait)
		clock.add(time.Duration(wait)*time.Second - time.Millisecond)
		wantRefused(t, signInFrom(a, "admin", "wrong password", addr), "1 second", 1)
		clock.add(time.Millisecond)
		webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", addr), http.StatusUnauthorized)
	}
	// The delay grows to minutes; the user's own address is not held up by it.
	for range 3 {
		clock.add(15 * time.Minute)
		webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", addr), http.StatusUnauthorized)
	}
	wantRefused(t, signInFrom(a, "admin", webtest.Password, addr), "3 minutes", 128)
	webtest.WantStatus(t, signInFrom(a, "admin", webtest.Password, homeAddr), http.StatusSeeOther)

	// After a quiet hour the address starts afresh, and a success clears its failures.
	clock.add(time.Hour)
	webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", addr), http.StatusUnauthorized)
	webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", addr), http.StatusUnauthorized)
	webtest.WantStatus(t, signInFrom(a, "admin", webtest.Password, addr), http.StatusSeeOther)
	for i := 1; i <= 3; i++ {
		webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", addr), http.StatusUnauthorized)
	}
}

func TestSignInCeilingsSpareKnownAddresses(t *testing.T) {
	t.Parallel()
	a, clock := newClockedApp(t)

	// A guess spread over many addresses: one failure from each.
	for i := 1; i <= 20; i++ {
		webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", fmt.Sprintf("203.0.113.%d", i)), http.StatusUnauthorized)
	}
	wantRefused(t, signInFrom(a, "admin", webtest.Password, "203.0.113.21"), "15 minutes", 900)
	// admin signed in from homeAddr before (newClockedApp): from there the ceiling does not apply.
	webtest.WantStatus(t, signInFrom(a, "admin", webtest.Password, homeAddr), http.StatusSeeOther)

	// One address trying many names.
	const sprayer = "198.51.100.7"
	a.As("carol") // a user with the test password
	a.As("dave")
	webtest.WantStatus(t, signInFrom(a, "carol", webtest.Password, sprayer), http.StatusSeeOther)
	for i := 1; i <= 20; i++ {
		webtest.WantStatus(t, signInFrom(a, fmt.Sprintf("nobody%d", i), "wrong password", sprayer), http.StatusUnauthorized)
	}
	wantRefused(t, signInFrom(a, "dave", webtest.Password, sprayer), "15 minutes", 900)
	webtest.WantStatus(t, signInFrom(a, "carol", webtest.Password, sprayer), http.StatusSeeOther)
	webtest.WantStatus(t, signInFrom(a, "dave", webtest.Password, "198.51.100.8"), http.StatusSeeOther)

	// The ceilings are windows: 15 minutes after the failures, anyone may try again.
	clock.add(15 * time.Minute)
	webtest.WantStatus(t, signInFrom(a, "admin", webtest.Password, "203.0.113.22"), http.StatusSeeOther)
	webtest.WantStatus(t, signInFrom(a, "dave", webtest.Password, sprayer), http.StatusSeeOther)
}

func TestRefusedSignInsShareOneAuditRow(t *testing.T) {
	t.Parallel()
	a, clock := newClockedApp(t)
	const addr = "203.0.113.40"
	// Wrong passwords until ten in a row are refused; the clock stands still meanwhile.
	failed, refusedInARow := 0, 0
	for i := 0; refusedInARow < 10; i++ {
		if i == 30 {
			t.Fatalf("30 wrong passwords from one address: %d failed, none refused ten times in a row", failed)
		}
		switch w := signInFrom(a, "admin", "wrong password", addr); w.Code {
		case http.StatusUnauthorized:
			failed++
			refusedInARow = 0
		case http.StatusTooManyRequests:
			refusedInARow++
		default:
			t.Fatalf("attempt %d: status %d", i+1, w.Code)
		}
	}

	refused := func() *goquery.Selection {
		doc := webtest.WantFullPage(t, a.Get(paths.AdminAudit(), false))
		return doc.Find(`[data-testid="audit-row"][data-action="signin.refused"]`)
	}
	rows := refused()
	if rows.Length() != 1 {
		t.Fatalf("%d signin.refused rows for 10 refused attempts, want 1", rows.Length())
	}
	if got := strings.TrimSpace(webtest.ByTestID(rows, "audit-count").Text()); got != "×10" {
		t.Errorf("the row counts %q, want ×10", got)
	}
	if got := strings.TrimSpace(webtest.ByTestID(rows, "audit-detail").Text()); got != "too many failed sign-ins from "+addr {
		t.Errorf("detail %q", got)
	}
	if n := webtest.WantFullPage(t, a.Get(paths.AdminAudit(), false)).Find(`[data-action="signin.failure"]`).Length(); n != failed {
		t.Errorf("%d signin.failure rows for %d failures", n, failed)
	}

	// A refusal in the next window starts a row of its own.
	clock.add(16 * time.Minute)
	webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", addr), http.StatusUnauthorized)
	webtest.WantStatus(t, signInFrom(a, "admin", "wrong password", addr), http.StatusTooManyRequests)
	if n := refused().Length(); n != 2 {
		t.Errorf("%d signin.refused rows after a second window, want 2", n)
	}
	if es, err := a.Store.AuditLog(context.Background(), "", 100); err != nil || len(es) > 10 {
		t.Errorf("%d audit entries, %v", len(es), err)
	}
}
