package runview_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/webtest"
)

const (
	jsRunState = `(document.querySelector('[data-testid="run-state"]')||{textContent:""}).textContent.trim()`
	jsRunTitle = `(document.querySelector('[data-testid="run-title"]')||{textContent:""}).textContent.replace(/\s+/g, " ").trim()`
)

// TestBrowserDestroyAsksForTheName: Destroy opens a form that asks for the deployment's
// name; a wrong name plans nothing, the right one (typed with "->") plans the destroy, whose
// page is marked as one and approves with "Approve and destroy".
func TestBrowserDestroyAsksForTheName(t *testing.T) {
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{})
	srv, browser := webtest.SignedInBrowser(t, a.Handler)
	run := webtest.Runner(t, browser)

	run("opening the destroy form",
		chromedp.Navigate(srv.URL+deployment),
		webtest.Click(webtest.Sel("destroy")),
		chromedp.WaitVisible(webtest.Sel("destroy-confirm")),
	)
	webtest.Screenshot(t, browser, "destroy-confirmation")
	run("typing another deployment's name",
		webtest.SendKeys(webtest.Sel("destroy-confirm"), "app -> prod"),
		webtest.Click(webtest.Sel("destroy-submit")),
	)
	webtest.WaitJS(t, browser, "the refusal", `(document.querySelector('[data-testid="runs-problem"]')||{textContent:""}).textContent.includes("does not match app → dev")`)
	webtest.WaitJS(t, browser, "no run listed", `!document.querySelector('[data-testid="run-row"]')`)

	run("typing the deployment's name",
		webtest.Click(webtest.Sel("destroy")),
		chromedp.WaitVisible(webtest.Sel("destroy-confirm")),
		webtest.SendKeys(webtest.Sel("destroy-confirm"), "app -> dev"),
		webtest.Click(webtest.Sel("destroy-submit")),
	)
	webtest.WaitJS(t, browser, "the destroy planned", jsRunState+` === "planned"`)
	webtest.WaitJS(t, browser, "the destroy's marks", jsRunTitle+`.startsWith("destroy Destroy plan") && !!document.querySelector('[data-testid="run-destroy-badge"]') && `+
		`document.querySelector('[data-testid="run-approve"]').textContent.trim() === "Approve and destroy"`)
	webtest.Screenshot(t, browser, "destroy-planned")

	run("approving the destroy", webtest.Click(webtest.Sel("run-approve")))
	webtest.WaitJS(t, browser, "the destroy applied", jsRunState+` === "applied"`)
	webtest.WaitJS(t, browser, "the title after the apply", jsRunTitle+`.includes("Destroy plan → destroy")`)
	webtest.WaitJS(t, browser, "the separator in the log", `[...document.querySelectorAll('[data-testid="log-line"].log-separator')].length === 1`)
	webtest.Screenshot(t, browser, "destroy-applied")
}

// TestBrowserNoChangesPlanEndsByItself: a plan that finds nothing to change ends on its own
// page as "no changes", with nothing to approve.
func TestBrowserNoChangesPlanEndsByItself(t *testing.T) {
	a, deployment := webtest.RunApp(t, &webtest.FakeExecutor{PlanJSON: webtest.FakeNoChangesPlanJSON})
	srv, browser := webtest.SignedInBrowser(t, a.Handler)
	run := webtest.Runner(t, browser)

	run("pressing Plan",
		chromedp.Navigate(srv.URL+deployment),
		webtest.Click(webtest.Sel("plan")),
	)
	webtest.WaitJS(t, browser, "the plan ended with no changes", jsRunState+` === "no changes"`)
	webtest.WaitJS(t, browser, "what the page says", `(document.querySelector('[data-testid="run-ended-no-changes"]')||{textContent:""}).textContent.includes("No changes: the infrastructure matches the configuration")`+
		` && !document.querySelector('[data-testid="run-approve"]') && !document.querySelector('[data-testid="run-discard"]')`)
	webtest.Screenshot(t, browser, "no-changes")
}
