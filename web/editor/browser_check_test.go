package editor_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserCheckWithProviders presses "Check with providers" in a real Chromium with
// htmx running: the real test provider's verdicts appear under the name field and under the
// second rule's protocol, labelled with the provider and version, beside the summary line;
// after typing a valid name the name's verdict is gone with the check's summary (it was
// about the draft as it was), and checking again finds only the protocol.
func TestBrowserCheckWithProviders(t *testing.T) {
	a := checkApp(t, widgetHCL, nil)
	srv, ctx := webtest.SignedInBrowser(t, a.Handler)
	run := webtest.Runner(t, ctx)

	// fieldOf is the field key the preview gives the provider's diagnostic whose detail has s.
	fieldOf := func(s string) string {
		return `(function(){for (const d of document.querySelectorAll('[data-testid="diagnostic"]')) {` +
			`if ((d.dataset.summary||"").includes(" says: ") && (d.dataset.detail||"").includes(` + webtest.JS(s) + `)) return d.dataset.field}; return ""})()`
	}
	underField := func(s, want string) string {
		return `(function(){const f=` + fieldOf(s) + `; if (!f) return false; ` +
			`return (document.querySelector('[data-error-for="'+f+'"]')||{textContent:""}).textContent.includes(` + webtest.JS(want) + `)})()`
	}

	run("opening the widget",
		chromedp.Navigate(srv.URL+paths.EditItem("team", "w", "testprov_widget.w")),
		chromedp.WaitVisible(webtest.Sel("check-providers")),
		webtest.Click(webtest.Sel("check-providers")),
	)
	webtest.WaitJS(t, ctx, "the check's summary", `(document.querySelector('[data-testid="provider-check-summary"]')||{dataset:{}}).dataset.errors === "3"`)
	webtest.WaitJS(t, ctx, "the name's verdict under its field", underField("Not_A_Name", "testprov 0.1.0 says: Invalid Attribute Value Match"))
	webtest.WaitJS(t, ctx, "the protocol's verdict under its field", underField(`"icmp"`, "testprov 0.1.0 says: Invalid Attribute Value Match"))
	webtest.Screenshot(t, ctx, "checked")

	run("typing a valid name",
		webtest.Settle(),
		clearInput(`input[name="name"]`),
		webtest.SendKeys(`input[name="name"]`, "a-name"),
	)
	webtest.WaitJS(t, ctx, "the preview to follow the new name", webtest.PreviewHas(`name = "a-name"`))
	webtest.WaitJS(t, ctx, "the old check's summary to go", `!document.querySelector('[data-testid="provider-check-summary"]')`)

	run("checking again", webtest.Click(webtest.Sel("check-providers")))
	webtest.WaitJS(t, ctx, "the second check's summary", `(document.querySelector('[data-testid="provider-check-summary"]')||{dataset:{}}).dataset.errors === "2"`)
	webtest.WaitJS(t, ctx, "the name to be accepted", fieldOf("Not_A_Name")+` === "" && `+underField(`"icmp"`, "testprov 0.1.0 says"))
	webtest.Screenshot(t, ctx, "checked-again")
}
