package editor_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserDraftStateAndDiscard: the first change of a version turns the header's
// "v1, unchanged" into "draft of v1" and brings Discard draft, without a reload; Discard
// asks first, saying what is lost, and only its confirmation throws the draft away.
func TestBrowserDraftStateAndDiscard(t *testing.T) {
	app := webtest.NewApp(t)
	app.CreateProject("payments")
	srv, ctx := webtest.SignedInBrowser(t, app.Handler)
	run := webtest.Runner(t, ctx)
	draftState := `(document.querySelector('[data-testid="draft-state"]')||{textContent:""}).textContent.trim()`
	discardShown := `(() => { const d = document.querySelector('[data-testid="discard"]'); return !!d && !d.hidden })()`

	run("creating the blueprint from a starter",
		chromedp.Navigate(srv.URL+paths.Project("payments")),
		chromedp.WaitVisible(webtest.Sel("new-blueprint-form")),
		webtest.SendKeys(webtest.Sel("new-blueprint-name"), "aks"),
		webtest.ChooseOption(webtest.Sel("new-blueprint-starter"), "aks-baseline"),
		webtest.Click(webtest.Sel("new-blueprint-submit")),
		chromedp.WaitVisible(webtest.Sel("editor")),
	)
	webtest.WaitJS(t, ctx, "an unchanged version", draftState+` === "v1, unchanged" && !`+discardShown)

	run("adding a resource group",
		webtest.SendKeys(webtest.Sel("add-search"), "resource group"),
		chromedp.WaitVisible(`li.type-row[data-type="azurerm_resource_group"] button`),
		webtest.Click(`li.type-row[data-type="azurerm_resource_group"] button`),
	)
	webtest.WaitJS(t, ctx, "the header to say draft, with Discard", draftState+` === "draft of v1" && `+discardShown)

	run("pressing Discard draft", webtest.Click(webtest.Sel("discard-draft")), chromedp.WaitVisible(webtest.Sel("discard-confirm")))
	webtest.Screenshot(t, ctx, "discard-confirmation")
	var got string
	run("reading the draft state", chromedp.Evaluate(draftState, &got))
	if got != "draft of v1" {
		t.Fatalf("opening the confirmation changed the draft state to %q", got)
	}
	run("confirming", webtest.Click(webtest.Sel("discard-confirm")))
	webtest.WaitJS(t, ctx, "the version unchanged again", draftState+` === "v1, unchanged" && !`+discardShown)
}
