package environments_test

import (
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/starters"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestBrowserEnvironmentPageMeasure(t *testing.T) {
	a := webtest.EnvApp(t)
	bp, err := starters.Blueprint("aks-baseline", "aks")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := bp.MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	a.ImportDoc("team", string(doc), "aks")
	a.CreateEnv("dev")
	srv, browser := webtest.SignedInBrowser(t, a.Handler)
	run := webtest.Runner(t, browser)
	var height int
	run("opening the environment",
		emulation.SetDeviceMetricsOverride(1280, 800, 1, false),
		chromedp.Navigate(srv.URL+paths.EnvironmentBlueprint("team", "dev", "aks", 0)),
		chromedp.WaitVisible(webtest.Sel("env-variables")),
		webtest.Settle(),
		chromedp.Evaluate(`document.documentElement.scrollHeight`, &height),
	)
	t.Logf("height %d", height)
	var dbg string
	run("debug", chromedp.Evaluate(`JSON.stringify({rows: [...document.querySelectorAll(".var-row")].slice(0,2).map(e=>[...e.children].map(c=>Math.round(c.getBoundingClientRect().height)+":"+(c.querySelector("input,textarea")?Math.round(c.querySelector("input,textarea").getBoundingClientRect().height):0))), list: document.querySelector('.var-list').getBoundingClientRect().top, listEnd: document.querySelector('.var-list').getBoundingClientRect().bottom, secEnd: document.querySelector('#env-secrets').getBoundingClientRect().bottom})`, &dbg))
	t.Log(dbg)
	webtest.Screenshot(t, browser, "before")
}
