package editor_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// countItemPosts counts the editor's item posts the browser makes.
type countItemPosts struct {
	next http.Handler
	n    atomic.Int64
}

func (c *countItemPosts) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/edit/item") {
		c.n.Add(1)
	}
	c.next.ServeHTTP(w, r)
}

// emptyInput empties an input as a user's deletion does: its input event fires.
func emptyInput(sel string) chromedp.Action {
	var got string
	return chromedp.Evaluate(`(function(){var s=document.querySelector(`+webtest.JS(sel)+`);s.value="";s.dispatchEvent(new Event("input",{bubbles:true}));return s.value})()`, &got)
}

// fieldShot saves a picture of the editor's field key as name.png in the test's output
// directory.
func fieldShot(t *testing.T, ctx context.Context, key, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.Screenshot(`[data-testid="field"][data-key="`+key+`"]`, &png)); err != nil {
		t.Fatalf("photographing %s: %v", key, err)
	}
	if err := os.WriteFile(filepath.Join(testenv.OutputDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// previewIs is a JavaScript test that main.tf in the preview is exactly s.
func previewIs(s string) string {
	return `(document.querySelector('[data-testid="preview-file"][data-file="main.tf"] code')||{textContent:""}).textContent === ` + webtest.JS(s)
}

// TestBrowserReferencePickerAndArgumentOrder: on the AKS starter's cluster, the node pool's
// subnet picker offers many references; typing a filter hides the rest without a request
// and keeps the focus in the filter, Enter chooses the match and the preview shows it. Then
// an argument cleared and typed again comes back where it was: main.tf is what it was.
func TestBrowserReferencePickerAndArgumentOrder(t *testing.T) {
	app := webtest.NewApp(t)
	app.CreateProject("team")
	w := app.PostForm(paths.NewBlueprint("team"), url.Values{"name": {"net"}, "starter": {"aks-baseline"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	posts := &countItemPosts{next: app.Handler}
	srv, ctx := webtest.SignedInBrowser(t, posts)
	run := webtest.Runner(t, ctx)

	const key = "default_node_pool[0].vnet_subnet_id"
	box := `[data-testid="ref-picker-box"][data-key="` + key + `"]`
	filter, picker := box+` [data-testid="ref-filter"]`, box+` select[data-testid="ref-picker"]`
	run("opening the cluster",
		chromedp.Navigate(srv.URL+paths.EditItem("team", "net", "azurerm_kubernetes_cluster.main")),
		chromedp.WaitVisible(filter),
	)
	webtest.WaitJS(t, ctx, "the preview", webtest.PreviewHas("vnet_subnet_id"))
	var total int
	run("counting the candidates", chromedp.Evaluate(`document.querySelectorAll(`+webtest.JS(picker+` optgroup option`)+`).length`, &total))
	if total < 8 {
		t.Fatalf("the subnet picker offers %d references; the test needs a long list", total)
	}
	var before string
	run("reading main.tf", chromedp.Evaluate(`document.querySelector('[data-testid="preview-file"][data-file="main.tf"] code').textContent`, &before))
	if !strings.Contains(before, "azurerm_subnet.nodes.id") {
		t.Fatalf("the starter's node pool is not on the nodes subnet:\n%s", before)
	}
	webtest.Screenshot(t, ctx, "1-picker")
	fieldShot(t, ctx, key, "1-picker-field")
	fieldShot(t, ctx, "location", "1-location-field")

	postsBefore := posts.n.Load()
	run("typing a filter", webtest.SendKeys(filter, "subnet ingr"))
	visible := `Array.from(document.querySelectorAll(` + webtest.JS(picker+` optgroup option`) + `)).filter(function(o){return !o.hidden}).map(function(o){return o.value})`
	webtest.WaitJS(t, ctx, "the filter to leave only the ingress subnet", `JSON.stringify(`+visible+`) === '["azurerm_subnet.ingress.id"]'`)
	webtest.WaitJS(t, ctx, "the count to say so", `document.querySelector(`+webtest.JS(box+` [data-testid="ref-count"]`)+`).textContent.startsWith("1 of `+strconv.Itoa(total)+` references match")`)
	run("letting the page settle", webtest.Settle())
	var focused bool
	run("checking the focus", chromedp.Evaluate(`document.activeElement === document.querySelector(`+webtest.JS(filter)+`)`, &focused))
	if !focused {
		t.Error("the filter lost the focus while filtering")
	}
	if n := posts.n.Load() - postsBefore; n != 0 {
		t.Errorf("filtering posted the form %d times; it must stay in the browser", n)
	}
	webtest.Screenshot(t, ctx, "2-filtered")
	fieldShot(t, ctx, key, "2-filtered-field")

	run("choosing the match with Enter", chromedp.SendKeys(filter, "\r"))
	webtest.WaitJS(t, ctx, "the preview to show the ingress subnet", webtest.PreviewHas("vnet_subnet_id               = azurerm_subnet.ingress.id"))
	webtest.WaitJS(t, ctx, "the picker to hold it", `document.querySelector(`+webtest.JS(picker)+`).value === "azurerm_subnet.ingress.id"`)
	if n := posts.n.Load() - postsBefore; n < 1 {
		t.Errorf("choosing a reference posted nothing")
	}
	webtest.Screenshot(t, ctx, "3-chosen")

	// The node pool's first argument, cleared and typed again, goes back where it was.
	var chosen string
	run("reading main.tf", chromedp.Evaluate(`document.querySelector('[data-testid="preview-file"][data-file="main.tf"] code').textContent`, &chosen))
	const name = `[name="default_node_pool[0].name"]`
	run("clearing the node pool's name", webtest.Settle(), emptyInput(name))
	webtest.WaitJS(t, ctx, "the preview to lose the name", `!`+webtest.PreviewHas(`name                         = "system"`))
	run("typing the name again", webtest.SendKeys(name, "system"))
	webtest.WaitJS(t, ctx, "main.tf to be what it was", previewIs(chosen))
	webtest.Screenshot(t, ctx, "4-order-kept")
}
