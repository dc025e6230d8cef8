package editor_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestEditorDeepValuesAreReportedNotFatal: an expression, an HCL value and a local nested
// 100,000 levels deep (far past what the parser's recursion survives) are kept as typed,
// like any expression that does not parse, and reported under their field with the limit;
// the editor goes on working on the draft.
func TestEditorDeepValuesAreReportedNotFatal(t *testing.T) {
	t.Parallel()
	const deep = 100_000
	brackets := strings.Repeat("[", deep) + strings.Repeat("]", deep)
	const limit = "nested more than 128 levels deep"
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")

	got := a.SubmitItem(page, func(v url.Values) {
		v.Set("name", "rg")
		v.Set("location", brackets)
		v.Set("location:mode", "expr")
		v.Set("tags", "{ a = "+brackets+" }")
	})
	for _, field := range []string{"location", "tags"} {
		if d := got.Find(`[data-testid="diagnostic"][data-field="` + field + `"]`).Text(); !strings.Contains(d, limit) {
			t.Errorf("%s: no diagnostic naming the limit: %q", field, d)
		}
	}

	page = a.EditorPage("locals")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "add"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	got = webtest.ParseHTML(t, w)
	v := htmltest.FormValues(got.Find("#item-form"))
	v.Set("l[0].name", "deep")
	v.Set("l[0].value", brackets)
	w = a.PostForm(got.Find("#item-form").AttrOr("action", ""), v, true)
	webtest.WantStatus(t, w, http.StatusOK)
	if d := webtest.ParseHTML(t, w).Find(`[data-testid="preview-diagnostics"]`).Text(); !strings.Contains(d, "locals[deep]") || !strings.Contains(d, limit) {
		t.Errorf("the deep local is not reported with the limit: %q", d)
	}

	// Nothing typed is lost, and the draft still opens.
	page = a.EditorPage("azurerm_resource_group.main")
	if got := page.Find(`textarea[name="location"]`).Text(); got != brackets {
		t.Errorf("the expression came back with %d bytes of %d", len(got), len(brackets))
	}
	if !strings.Contains(page.Find(`[data-testid="diagnostic"][data-field="location"]`).Text(), limit) {
		t.Error("the reopened draft does not report the deep expression")
	}
}
