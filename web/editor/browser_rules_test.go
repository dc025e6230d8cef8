package editor_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserEditorRules: in a real Chromium with htmx running, an enumeration is a choice
// whose pick reaches the live preview, and a number beyond the docs' bounds is still sent
// (the form does not let the browser's validation hold the draft back) and shown with its
// hint.
func TestBrowserEditorRules(t *testing.T) {
	a := rulesEditorApp(t)
	a.AddType("azurerm_kubernetes_cluster", "resource")
	srv, ctx := webtest.SignedInBrowser(t, a.Handler)

	run := webtest.Runner(t, ctx)
	choice := `select[name="sku_tier"][data-testid="choice"]`
	run("opening the cluster",
		chromedp.Navigate(srv.URL+paths.EditItem("team", "net", "azurerm_kubernetes_cluster.main")),
		chromedp.WaitVisible(webtest.Sel("item-form")),
		// sku_tier and dns_prefix are optional: they sit with the folded optional arguments.
		webtest.Click(`[data-testid="optional-args"][data-key=""] > summary`),
		chromedp.WaitVisible(choice),
	)
	run("choosing Premium", webtest.ChooseOption(choice, "Premium"))
	webtest.WaitJS(t, ctx, "the preview to show sku_tier Premium", webtest.PreviewHas(`"Premium"`))

	nodeCount := `input[name="default_node_pool[0].node_count"]`
	run("typing a node count beyond the docs' bounds",
		webtest.Click(`[data-testid="optional-args"][data-key="default_node_pool[0]"] > summary`),
		chromedp.WaitVisible(nodeCount),
		webtest.SendKeys(nodeCount, "5000"),
	)
	webtest.WaitJS(t, ctx, "the preview to show node_count 5000", webtest.PreviewHas(`node_count = 5000`))
	webtest.WaitJS(t, ctx, "the choice to keep Premium", `document.querySelector(`+webtest.JS(choice)+`).value === "Premium"`)
	webtest.WaitJS(t, ctx, "the range hint", `document.getElementById("h-default_node_pool[0].node_count").textContent.includes("between 0 and 1000")`)
	webtest.WaitJS(t, ctx, "the forces-new mark on dns_prefix", `!!document.querySelector('[data-key="dns_prefix"] [data-testid="forces-new"]')`)
	webtest.Screenshot(t, ctx, "enum-range-forces-new")
}
