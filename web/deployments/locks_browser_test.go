package deployments_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserUpgradeProviders in a real Chromium: the deployment page shows the locked
// version; "Upgrade providers" leads to the diff of the lock file; "Use these versions"
// brings the deployment page back with the new version locked.
func TestBrowserUpgradeProviders(t *testing.T) {
	up := &fakeUpgrader{lock: []byte(lockNew)}
	a, dep, _ := lockApp(t, up, lockOld)
	srv, ctx := webtest.SignedInBrowser(t, a.Handler)
	run := webtest.Runner(t, ctx)
	const random = `[data-testid="lock-provider"][data-source="registry.terraform.io/hashicorp/random"]`

	run("opening the deployment",
		chromedp.Navigate(srv.URL+dep),
		chromedp.WaitVisible(webtest.Sel("deployment-lock")),
	)
	webtest.WaitJS(t, ctx, "the locked version", `(document.querySelector(`+webtest.JS(random)+`)||{dataset:{}}).dataset.version === "3.6.0"`)
	run("upgrading the providers", webtest.Click(webtest.Sel("upgrade-providers")))
	webtest.WaitJS(t, ctx, "the upgrade's changes", `(document.querySelector('[data-testid="upgrade-change"]')||{dataset:{}}).dataset.to === "3.6.3"`)
	webtest.WaitJS(t, ctx, "the lock file's diff", `!!document.querySelector('[data-testid="diff-file"][data-file=".terraform.lock.hcl"]')`)
	webtest.Screenshot(t, ctx, "upgrade-diff")
	run("using these versions", webtest.Click(webtest.Sel("upgrade-use")))
	webtest.WaitJS(t, ctx, "the new locked version", `(document.querySelector(`+webtest.JS(random)+`)||{dataset:{}}).dataset.version === "3.6.3" && !document.querySelector('[data-testid="lock-pending"]')`)
	webtest.Screenshot(t, ctx, "upgraded")
}
