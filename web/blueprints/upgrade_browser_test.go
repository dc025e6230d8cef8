package blueprints_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestUpgradeInBrowser pastes the azurerm 2.x configuration into the import form, lands on
// the upgrade report, applies the renames and sees the report of what is left.
func TestUpgradeInBrowser(t *testing.T) {
	app := webtest.NewApp(t)
	app.CreateProject("team")
	srv, ctx := webtest.SignedInBrowser(t, app.Handler)

	run := webtest.Runner(t, ctx)
	run("importing the 2.x configuration",
		chromedp.Navigate(srv.URL+paths.Project("team")),
		chromedp.WaitVisible(webtest.Sel("import-form")),
		chromedp.SetValue(webtest.Sel("import-text-input"), string(oldConfig(t))),
		webtest.SendKeys(webtest.Sel("import-name-input"), "platform"),
		webtest.Click(webtest.Sel("import-submit")),
		chromedp.WaitVisible(webtest.Sel("upgrade-items")),
		webtest.Settle(),
	)
	webtest.Screenshot(t, ctx, "1-report")
	var held, button string
	run("reading the report",
		chromedp.Text(webtest.Sel("upgrade-held-count"), &held),
		chromedp.Text(webtest.Sel("apply-renames"), &button),
	)
	if held != "23" || button != "Apply 7 renames" {
		t.Fatalf("report shows %q held and button %q", held, button)
	}

	run("applying the renames", webtest.Click(webtest.Sel("apply-renames")))
	webtest.WaitJS(t, ctx, "the report after the renames",
		`(document.querySelector('[data-testid="upgrade-held-count"]')||{textContent:""}).textContent === "16"`)
	webtest.Screenshot(t, ctx, "2-after-renames")
	var version string
	run("reading the new report",
		webtest.Settle(),
		chromedp.Text(webtest.Sel("upgrade-version-link"), &version),
	)
	if version != "v2" {
		t.Errorf("the report after the renames is of %q, want v2", version)
	}
	var renames int
	run("counting rename buttons", chromedp.Evaluate(`document.querySelectorAll('[data-testid="apply-renames"]').length`, &renames))
	if renames != 0 {
		t.Error("the renames are still offered")
	}
}
