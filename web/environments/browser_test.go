package environments_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/starters"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserEnvironmentValues walks the environment of the AKS baseline starter in a real
// Chromium at 1280x800: the values are open and every other section closed; a bad value
// is refused with its message on its field and every typed value kept; fixed, it saves.
// It logs the page's height, which the page's compact layout is about.
func TestBrowserEnvironmentValues(t *testing.T) {
	a := webtest.EnvApp(t)
	bp, err := starters.Blueprint("aks-baseline", "aks")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := bp.MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	a.ImportDoc("team", string(doc), "the AKS baseline")
	a.CreateEnv("dev")
	srv, browser := webtest.SignedInBrowser(t, a.Handler)
	run := webtest.Runner(t, browser)
	field := func(name string) string { return `[data-testid="variable-field"][data-variable="` + name + `"]` }
	input := func(name string) string { return field(name) + ` [data-testid="variable-input"]` }

	var height int
	run("opening the environment",
		emulation.SetDeviceMetricsOverride(1280, 800, 1, false),
		chromedp.Navigate(srv.URL+paths.EnvironmentBlueprint("team", "dev", "aks", 0)),
		chromedp.WaitVisible(input("location")),
		webtest.Settle(),
		chromedp.Evaluate(`document.documentElement.scrollHeight`, &height),
	)
	t.Logf("document height of the AKS baseline's environment at 1280x800: %d px", height)
	webtest.WaitJS(t, browser, "the values open, the other sections closed",
		`document.querySelector("#env-variables").open && !document.querySelector("#env-backend").open && `+
			`!document.querySelector("#env-runner").open && !document.querySelector("#env-secrets").open && `+
			`document.querySelector(`+webtest.JS(input("user_node_max_count"))+`).getBoundingClientRect().height > 0`)
	webtest.Screenshot(t, browser, "1-environment")

	run("typing values, one of them bad",
		webtest.SendKeys(input("location"), "northeurope"),
		webtest.SendKeys(input("acr_name"), "cloudovenacr"),
		webtest.SendKeys(input("max_pods"), "lots"),
		webtest.Click(webtest.Sel("variables-submit")),
	)
	webtest.WaitJS(t, browser, "the message on max_pods",
		`document.querySelector(`+webtest.JS(input("max_pods"))+`).getAttribute("aria-invalid") === "true" && `+
			`document.querySelector(`+webtest.JS(field("max_pods")+` [data-testid="field-errors"]`)+`).textContent.includes('expected a number, got "lots"')`)
	var kept []string
	run("reading the typed values",
		chromedp.Evaluate(`[`+webtest.JS(input("location"))+`, `+webtest.JS(input("acr_name"))+`, `+webtest.JS(input("max_pods"))+`].map(s => document.querySelector(s).value)`, &kept),
	)
	if strings.Join(kept, " ") != "northeurope cloudovenacr lots" {
		t.Errorf("the refused form shows %q, want what was typed", kept)
	}
	if len(storedEnv(a, "dev").Variables) != 0 {
		t.Error("a refused form saved values")
	}
	webtest.Screenshot(t, browser, "2-refused")

	run("fixing max_pods and saving",
		webtest.Settle(),
		chromedp.Evaluate(`document.querySelector(`+webtest.JS(input("max_pods"))+`).value = ""`, nil),
		webtest.SendKeys(input("max_pods"), "60"),
		webtest.Click(webtest.Sel("variables-submit")),
	)
	webtest.WaitJS(t, browser, "the values saved",
		`!!document.querySelector('[data-testid="variables-saved"]') && `+
			`document.querySelector(`+webtest.JS(field("max_pods")+` [data-testid="variable-status"]`)+`).textContent.trim() === "set here"`)
	env := storedEnv(a, "dev")
	for name, want := range map[string]string{"location": `"northeurope"`, "acr_name": `"cloudovenacr"`, "max_pods": "60"} {
		if got, _ := blueprint.FormatValue(env.Variables[name]); got != want {
			t.Errorf("stored %s = %s, want %s", name, got, want)
		}
	}
	webtest.Screenshot(t, browser, "3-saved")

	run("opening the backend and runner sections",
		webtest.Click(`#env-backend > summary`),
		webtest.Click(`#env-runner > summary`),
		chromedp.WaitVisible(webtest.Sel("backend-submit")),
		chromedp.WaitVisible(webtest.Sel("runner-submit")),
	)
	webtest.Screenshot(t, browser, "4-sections-open")
}
