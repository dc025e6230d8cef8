package webtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web/paths"
)

// NewBrowser starts headless Chromium (Debian's) for one test.
func NewBrowser(t testing.TB) context.Context {
	t.Helper()
	exec := testenv.Chromium(t)
	// Not t.TempDir: Chromium's helper processes may still be writing the profile when the
	// test ends, and a failed removal would fail the test.
	profile, err := os.MkdirTemp("", "cloudoven-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Chromium's first start on a fresh machine builds its font cache, and CI starts several
	// at once on two cores: chromedp's default 20 s for the DevTools address is too short.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exec), chromedp.UserDataDir(profile), chromedp.WindowSize(1280, 1000),
		chromedp.WSURLReadTimeout(2 * time.Minute),
	}
	for _, f := range testenv.ChromiumFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(profile)
	})
	if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(activityScript).Do(ctx)
		return err
	})); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// activityScript runs in every page before the page's own scripts: it notes the time of the
// last thing that may lead htmx to swap part of the page (typing, choosing, clicking, and
// htmx's own requests and swaps), for Settle.
const activityScript = `(function () {
  window.__cloudovenActivity = Date.now();
  var note = function () { window.__cloudovenActivity = Date.now(); };
  ["input", "change", "click", "keydown", "submit",
   "htmx:beforeRequest", "htmx:afterRequest", "htmx:beforeSwap", "htmx:afterSettle"].forEach(function (t) {
    document.addEventListener(t, note, true);
  });
})();`

// quiet is how long the page must have been still before Settle lets a test act: longer than
// the longest htmx trigger delay of the pages (the editor's 500 ms after typing), so a
// request a keystroke scheduled has started, and been answered, by then.
const quiet = 600 * time.Millisecond

// Settle waits, for at most 30 s, until the page has loaded, htmx has no request or swap
// under way, and nothing has happened on it for quiet: only then can a test find an element
// and act on it without htmx replacing it in between (the "Could not find node with given
// id" of a busy machine).
func Settle() chromedp.Action {
	cond := "(" + settled + ") && Date.now() - (window.__cloudovenActivity || 0) > " + strconv.Itoa(int(quiet.Milliseconds()))
	return chromedp.ActionFunc(func(ctx context.Context) error {
		deadline := time.Now().Add(30 * time.Second)
		for {
			var ok bool
			err := chromedp.Evaluate(cond, &ok).Do(ctx)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				if err == nil {
					err = errors.New("htmx kept the page busy")
				}
				return fmt.Errorf("waiting for the page to settle: %w", err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// Click clicks the first element sel matches once the page has settled.
func Click(sel string) chromedp.Action { return chromedp.Tasks{Settle(), chromedp.Click(sel)} }

// SendKeys types keys into the first element sel matches once the page has settled.
func SendKeys(sel, keys string) chromedp.Action {
	return chromedp.Tasks{Settle(), chromedp.SendKeys(sel, keys)}
}

// Screenshot saves the whole page as name.png in the test's output directory.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(testenv.OutputDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// Sel is the CSS selector of the elements with a data-testid.
func Sel(id string) string { return `[data-testid="` + id + `"]` }

// BrowserSignIn signs the browser in through the sign-in page, as a user does, and waits
// for the projects page.
func BrowserSignIn(t testing.TB, ctx context.Context, baseURL, name, password string) {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Navigate(baseURL+paths.SignIn("")),
		chromedp.WaitVisible(Sel("signin-form")),
		SendKeys(Sel("signin-name"), name),
		SendKeys(Sel("signin-password"), password),
		Click(Sel("signin-submit")),
		chromedp.WaitVisible(Sel("signed-in-user")),
	)
	if err != nil {
		Screenshot(t, ctx, "signin-failed")
		t.Fatalf("signing in as %s: %v", name, err)
	}
}

// JS quotes s as a JavaScript string literal.
func JS(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ChooseOption selects value in the select sel and fires its change event, as a user's
// choice does, once the page has settled.
func ChooseOption(sel, value string) chromedp.Action {
	var got string
	return chromedp.Tasks{Settle(), chromedp.Evaluate(`(function(){var s=document.querySelector(`+JS(sel)+`);s.value=`+JS(value)+`;s.dispatchEvent(new Event("change",{bubbles:true}));return s.value})()`, &got)}
}

// PreviewHas is a JavaScript test that main.tf in the editor's preview contains s.
func PreviewHas(s string) string {
	return `(document.querySelector('[data-testid="preview-file"][data-file="main.tf"] code')||{textContent:""}).textContent.includes(` + JS(s) + `)`
}

// settled is true once the page has loaded and htmx is neither waiting for an answer nor
// swapping one in: a test that acts earlier may find the element it wants replaced under it.
const settled = `document.readyState === "complete" && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`

// WaitJS waits until the JavaScript expression expr is true on a settled page (loaded, no
// htmx request or swap under way), for at most 30 s, and fails the test with a screenshot
// when it never is. It polls from Go rather than with chromedp.Poll, whose in-page poller
// dies with the page when a click navigates.
func WaitJS(t testing.TB, ctx context.Context, what, expr string) {
	t.Helper()
	WaitJSWithin(t, ctx, what, expr, 30*time.Second)
}

// WaitJSWithin is WaitJS for at most timeout: for what takes long on a busy machine (an
// apply with real providers).
func WaitJSWithin(t testing.TB, ctx context.Context, what, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	cond := "(" + settled + ") && !!(" + expr + ")"
	var err error
	for {
		var ok bool
		if err = chromedp.Run(ctx, chromedp.Evaluate(cond, &ok)); err == nil && ok {
			return
		}
		select {
		case <-tick.C:
			continue
		case <-deadline:
		}
		break
	}
	Screenshot(t, ctx, "timeout")
	var state string
	_ = chromedp.Run(ctx, chromedp.Evaluate(`JSON.stringify({errors: (document.querySelector('[data-testid="preview-diagnostics"]')||{textContent:""}).textContent.replace(/\s+/g, " ")})`, &state))
	t.Fatalf("waiting for %s: %v (page state: %s)", what, err, state)
}

// SignedInBrowser serves h on a test server, closed with the test, and signs admin in, in
// a new Chromium: how every browser test starts.
func SignedInBrowser(t testing.TB, h http.Handler) (*httptest.Server, context.Context) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx := NewBrowser(t)
	BrowserSignIn(t, ctx, srv.URL, "admin", Password)
	return srv, ctx
}

// Runner returns a function that runs actions in the browser and, when one fails, takes a
// screenshot ("failed") and fails the test, naming what was being done.
func Runner(t testing.TB, ctx context.Context) func(what string, actions ...chromedp.Action) {
	return func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			Screenshot(t, ctx, "failed")
			t.Fatalf("%s: %v", what, err)
		}
	}
}
