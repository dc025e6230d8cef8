package deployments_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserStateVersionAndCompare walks, in a real Chromium, from the deployment page to a
// state version (its outputs, the sensitive one masked, and its resources), then to its
// diff with the version before, then compares two versions through the form; no page holds
// a sensitive value.
func TestBrowserStateVersionAndCompare(t *testing.T) {
	files := realStates(t)
	f := newStateFixture(t, nil)
	f.addVersion(t, files[0], "run-1", true)
	f.addVersion(t, files[1], "run-2", true)
	srv, ctx := webtest.SignedInBrowser(t, f.a.Handler)
	run := webtest.Runner(t, ctx)
	noSecret := func(what string) {
		t.Helper()
		var html string
		run("reading "+what, chromedp.OuterHTML("html", &html))
		wantNoStateSecret(t, what, html)
	}

	run("opening the deployment page", chromedp.Navigate(srv.URL+f.deployment), chromedp.WaitVisible(webtest.Sel("state-versions")))
	run("scrolling to the state versions", chromedp.ScrollIntoView(webtest.Sel("state-versions")))
	webtest.Screenshot(t, ctx, "0-deployment")
	run("opening the newest state version from the deployment page",
		webtest.Click(webtest.Sel("state-version-link")),
		chromedp.WaitVisible(webtest.Sel("state-version-title")),
	)
	webtest.WaitJS(t, ctx, "the outputs, db_password masked",
		`[...document.querySelectorAll('[data-testid="state-output-row"]')].some(r => r.dataset.name === "db_password" && r.dataset.sensitive === "true" && r.textContent.includes("sensitive"))`)
	webtest.WaitJS(t, ctx, "the resources", `document.querySelectorAll('[data-testid="state-resource"]').length === 4`)
	webtest.Screenshot(t, ctx, "1-state-version")
	noSecret("the state version page")

	run("comparing with the version before",
		webtest.Click(webtest.Sel("state-compare-previous")),
		chromedp.WaitVisible(webtest.Sel("state-diff")),
	)
	webtest.WaitJS(t, ctx, "the changed resources", `document.querySelectorAll('[data-testid="state-diff-resource"][data-change="changed"]').length === 2`)
	webtest.WaitJS(t, ctx, "the masked password", `[...document.querySelectorAll('[data-testid="state-diff-attribute"][data-path="input.password"] td')].some(td => td.textContent.includes("(sensitive)"))`)
	webtest.Screenshot(t, ctx, "2-compare-previous")
	noSecret("the compare page")

	run("comparing backwards through the form",
		webtest.ChooseOption(webtest.Sel("state-compare-from"), "2"),
		webtest.ChooseOption(webtest.Sel("state-compare-to"), "1"),
		webtest.Click(webtest.Sel("state-compare-submit")),
	)
	webtest.WaitJS(t, ctx, "version 2 → 1", `(document.querySelector('[data-testid="state-compare-from-link"]')||{}).textContent === "2" && document.querySelector('[data-testid="state-diff-removed"]').textContent === "2"`)
	var title string
	run("reading the title", chromedp.Text(webtest.Sel("state-compare-title"), &title))
	if !strings.Contains(title, "2") || !strings.Contains(title, "1") {
		t.Errorf("the compare page's title is %q", title)
	}
	webtest.Screenshot(t, ctx, "3-compare-backwards")
	noSecret("the backwards compare page")
}
