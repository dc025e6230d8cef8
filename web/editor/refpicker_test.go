package editor_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// starterApp is an app with the AKS starter as blueprint "net" of project "team".
func starterApp(t *testing.T) *webtest.App {
	t.Helper()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	w := a.PostForm(paths.NewBlueprint("team"), url.Values{"name": {"net"}, "starter": {"aks-baseline"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	return a
}

// TestReferencePickerGroupsByKind: a long list of references comes grouped by kind, the
// group of the best fit first, each reference with its type where known, under a labelled
// filter box tied to the select.
func TestReferencePickerGroupsByKind(t *testing.T) {
	t.Parallel()
	a := starterApp(t)
	page := a.EditorPage("azurerm_kubernetes_cluster.main")
	box := page.Find(`[data-testid="ref-picker-box"][data-key="location"]`)
	sel := box.Find(`select[data-testid="ref-picker"]`)
	if sel.Length() != 1 || sel.AttrOr("name", "") != "location" {
		t.Fatalf("location's picker: %d selects named %q", sel.Length(), sel.AttrOr("name", ""))
	}
	if page.Find(`label[for="`+sel.AttrOr("id", "")+`"]`).Length() != 1 {
		t.Error("the picker has no label")
	}
	if got := sel.Find("option[selected]").AttrOr("value", ""); got != "azurerm_resource_group.main.location" {
		t.Errorf("selected %q, want the starter's azurerm_resource_group.main.location", got)
	}
	if got := sel.Find("option").First().Text(); got != "— choose a reference —" {
		t.Errorf("first option %q", got)
	}

	groups := sel.Find("optgroup")
	kinds := map[string]bool{}
	groups.Each(func(_ int, g *goquery.Selection) {
		kind := g.AttrOr("data-kind", "")
		if kinds[kind] {
			t.Errorf("two %s groups", kind)
		}
		kinds[kind] = true
		if g.AttrOr("label", "") == "" {
			t.Errorf("the %s group has no label", kind)
		}
		g.Find("option").Each(func(_ int, o *goquery.Selection) {
			if o.AttrOr("data-kind", "") != kind {
				t.Errorf("%s is in the %s group", o.AttrOr("value", ""), kind)
			}
			if typ := o.AttrOr("data-type", ""); typ != "" && o.Text() != o.AttrOr("value", "")+" ("+typ+")" {
				t.Errorf("option %q does not show its type %s", o.Text(), typ)
			}
		})
	})
	if !kinds["variable"] || !kinds["resource"] {
		t.Errorf("groups %v, want variables and resources", kinds)
	}
	if got := groups.First().Find("option").First().AttrOr("value", ""); got != "var.location" {
		t.Errorf("best fit %q, want var.location (the same name) first", got)
	}
	if got := sel.Find(`optgroup[data-kind="variable"] option[value="var.location"]`).Text(); got != "var.location (string)" {
		t.Errorf("var.location reads %q, want its type", got)
	}

	filter := box.Find(`input[data-testid="ref-filter"]`)
	if filter.Length() != 1 {
		t.Fatal("a long list has no filter box")
	}
	if filter.AttrOr("name", "") != "" {
		t.Error("the filter box posts its text")
	}
	if filter.AttrOr("aria-controls", "") != sel.AttrOr("id", "") || filter.AttrOr("aria-label", "") == "" {
		t.Errorf("the filter box is not tied to its select: aria-controls %q, aria-label %q", filter.AttrOr("aria-controls", ""), filter.AttrOr("aria-label", ""))
	}
	n := sel.Find("optgroup option").Length()
	if count := page.Find(`[id="` + filter.AttrOr("aria-describedby", "") + `"]`).Text(); !strings.HasPrefix(count, strconv.Itoa(n)+" references") {
		t.Errorf("the count reads %q with %d references", count, n)
	}
}

// TestReferencePickerKeepsAValueThatIsNoCandidate: a reference the picker would not offer
// stays, selected, and posts back unchanged.
func TestReferencePickerKeepsAValueThatIsNoCandidate(t *testing.T) {
	t.Parallel()
	a := starterApp(t)
	page := a.EditorPage("azurerm_kubernetes_cluster.main")
	a.SubmitItem(page, func(v url.Values) { v.Set("location", "var.somewhere_else") })
	page = a.EditorPage("azurerm_kubernetes_cluster.main")
	sel := page.Find(`[data-key="location"] select[data-testid="ref-picker"]`)
	cur := sel.Find(`option[data-testid="ref-current"]`)
	if cur.AttrOr("value", "") != "var.somewhere_else" || cur.AttrOr("selected", "x") == "x" {
		t.Fatalf("the current value is not kept selected: %q", cur.AttrOr("value", ""))
	}
	if v := htmltest.FormValues(page.Find("#item-form")).Get("location"); v != "var.somewhere_else" {
		t.Errorf("the form posts location = %q", v)
	}
}

// TestReferencePickerWhenNothingFits: an empty picker says what to do, and a short list
// has no filter box.
func TestReferencePickerWhenNothingFits(t *testing.T) {
	t.Parallel()
	a := webtest.EditorApp(t)
	page := a.AddType("azurerm_resource_group", "resource")
	w := a.PostForm(page.Find("#item-form").AttrOr("action", ""), withOp(htmltest.FormValues(page.Find("#item-form")), "mode:location=ref"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	got := webtest.ParseHTML(t, w)
	field := got.Find(`[data-testid="field"][data-key="location"]`)
	if field.Find(`select[data-testid="ref-picker"] option`).Length() != 1 {
		t.Errorf("an empty picker offers %d options", field.Find(`select[data-testid="ref-picker"] option`).Length())
	}
	if !strings.Contains(field.Text(), "Nothing in this blueprint fits yet") {
		t.Errorf("no message for an empty picker:\n%s", field.Text())
	}
	if field.Find(`[data-testid="ref-filter"]`).Length() != 0 {
		t.Error("an empty picker has a filter box")
	}
}
