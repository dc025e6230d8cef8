package runview_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserPlanChanges: on a 1,280-pixel window, a planned run shows its state, its
// timeline, its controls and the counts per action without scrolling; unfolding a create and an update
// shows their attributes, before → after, with unknown values said.
func TestBrowserPlanChanges(t *testing.T) {
	a, deployment := webtest.RunApp(t, showExecutor{show: realPlanShow(t)})
	srv, browser := webtest.SignedInBrowser(t, a.Handler)
	run := webtest.Runner(t, browser)
	id := a.StartRun(deployment, "plan")
	a.WaitRun(id, store.RunPlanned)

	run("opening the planned run",
		chromedp.Navigate(srv.URL+paths.Run("team", id)),
		chromedp.WaitVisible(webtest.Sel("run-changes")),
	)
	// Each in the window, from its top to its bottom.
	inView := func(sel string) string {
		return `(function(){var e=document.querySelector(` + webtest.JS(sel) + `); if(!e) return false; var r=e.getBoundingClientRect();` +
			` return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight})()`
	}
	webtest.WaitJS(t, browser, "the state, the timeline, the controls and the counts in the window without scrolling",
		inView(webtest.Sel("run-state"))+" && "+inView(webtest.Sel("run-timeline"))+" && "+inView(webtest.Sel("run-approve"))+" && "+inView(webtest.Sel("run-discard"))+" && "+
			inView(webtest.Sel("run-action-counts"))+` && window.scrollY === 0 && window.innerWidth === 1280`)
	webtest.Screenshot(t, browser, "plan-changes-folded")

	create := `[data-testid="run-change"][data-address="terraform_data.new"]`
	update := `[data-testid="run-change"][data-address="terraform_data.app"]`
	run("unfolding a create and an update",
		webtest.Click(create+" > summary"),
		webtest.Click(update+" > summary"),
	)
	cell := func(change, path, side string) string {
		return `(document.querySelector(` + webtest.JS(change+` [data-testid="run-attribute"][data-path="`+path+`"] [data-testid="run-attribute-`+side+`"]`) + `)||{innerText:""}).innerText.trim()`
	}
	webtest.WaitJS(t, browser, "the create's values and the update's changes",
		`document.querySelector(`+webtest.JS(create)+`).open && document.querySelector(`+webtest.JS(update)+`).open && `+
			cell(create, "input.node", "after")+` === "(known after apply)" && `+
			cell(update, "input.pools[0].vm_size", "before")+` === '"Standard_B2s"' && `+
			cell(update, "input.pools[0].vm_size", "after")+` === '→ "Standard_D4s_v5"' && `+
			`!document.querySelector(`+webtest.JS(create+` [data-testid="run-attribute-before"]`)+`)`)
	webtest.WaitJS(t, browser, "the other changes still folded",
		`document.querySelectorAll('details[data-testid="run-change"][open]').length === 2`)
	webtest.Screenshot(t, browser, "plan-changes-unfolded")
}
