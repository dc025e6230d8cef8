package editor_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestBrowserEditsAFile: in a real browser, an author adds a file on the Files item, types
// a second line into it, and the file (with LF line breaks, although the browser posts a
// textarea's breaks as CRLF) is in the preview and survives a reload.
func TestBrowserEditsAFile(t *testing.T) {
	app := webtest.EditorApp(t)
	srv, ctx := webtest.SignedInBrowser(t, app.Handler)

	run := webtest.Runner(t, ctx)
	run("opening Files",
		chromedp.Navigate(srv.URL+paths.EditItem("team", "net", "files")),
		chromedp.WaitVisible(webtest.Sel("new-file-path")),
		webtest.SendKeys(webtest.Sel("new-file-path"), "scripts/init.sh"),
		webtest.SendKeys(webtest.Sel("new-file-content"), "#!/bin/sh\n"),
		webtest.Click(webtest.Sel("new-file")+" "+webtest.Sel("add-row")),
	)
	webtest.WaitJS(t, ctx, "the new file's row", `document.querySelector('[data-testid="file-row"][data-path="scripts/init.sh"]')`)
	// The caret goes to the end of the text, as a click below the last line puts it.
	run("typing into the file", webtest.Settle(),
		chromedp.Evaluate(`(function(){var a=document.querySelector('[data-testid="file-content"]');a.focus();a.setSelectionRange(a.value.length,a.value.length);return true})()`, nil),
		chromedp.SendKeys(webtest.Sel("file-content"), "echo typed-in-the-browser\n"))
	webtest.WaitJS(t, ctx, "the preview to show the typed line",
		`(document.querySelector('[data-testid="preview-file"][data-file="scripts/init.sh"] code')||{textContent:""}).textContent.includes("echo typed-in-the-browser")`)
	webtest.Screenshot(t, ctx, "typed")

	var content string
	run("reloading", chromedp.Reload(), chromedp.WaitVisible(webtest.Sel("file-content")), webtest.Settle(),
		chromedp.Evaluate(`document.querySelector('[data-testid="file-content"]').value`, &content))
	if !strings.Contains(content, "echo typed-in-the-browser") {
		t.Errorf("after a reload the file holds %q", content)
	}
	saved := app.EditorPage("files").Find(`[data-testid="file-content"]`).Text()
	if strings.Contains(saved, "\r") || !strings.HasPrefix(saved, "#!/bin/sh\n") || !strings.Contains(saved, "echo typed-in-the-browser") {
		t.Errorf("the draft holds %q; want the typed lines with LF line breaks", saved)
	}
}
