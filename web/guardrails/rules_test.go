package guardrails_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestRulesPage(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")

	page := webtest.ParseHTML(t, a.Get(paths.Rules("team"), false))
	if n := page.Find(`[data-testid="rule-row"]`).Length(); n != 11 {
		t.Errorf("%d rules listed, want the eleven defaults", n)
	}
	// The rules that catch constructs running during the plan say that they block every plan.
	var blocking []string
	page.Find(`[data-testid="rule-row"][data-blocks="true"]`).Each(func(_ int, s *goquery.Selection) {
		blocking = append(blocking, s.AttrOr("data-rule", ""))
	})
	if got := strings.Join(blocking, " "); got != "no-external-data no-http-data own-remote-state no-provider-exec reviewed-modules" {
		t.Errorf("rules shown as blocking every plan: %q", got)
	}

	// A bad rule file is refused with its problem, as typed, and nothing changes.
	bad := `{"rules":[{"id":"required-tag"}]}`
	w := a.PostForm(paths.Rules("team"), url.Values{"rules": {bad}}, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	doc := webtest.ParseHTML(t, w)
	if p := doc.Find(`[data-testid="rules-problem"]`).Text(); !strings.Contains(p, "required-tags") {
		t.Errorf("problem %q does not suggest required-tags", p)
	}
	if got := doc.Find(`[data-testid="rules-input"]`).Text(); got != bad {
		t.Errorf("the typed file came back as %q", got)
	}

	// A good one is stored and applies in the editor.
	good := `{"rules":[{"id":"required-tags","tags":["cost-center"]},{"id":"helm-resource-limits","enabled":false}]}`
	w = a.PostForm(paths.Rules("team"), url.Values{"rules": {good}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	page = webtest.ParseHTML(t, a.Get(paths.Rules("team"), false))
	if page.Find(`[data-rule="helm-resource-limits"]`).AttrOr("data-enabled", "") != "false" {
		t.Error("helm-resource-limits is not shown as off")
	}
	if !strings.Contains(page.Find(`[data-rule="required-tags"]`).Text(), "cost-center") {
		t.Error("the required tag is not shown")
	}

	w = a.PostForm("/projects/team/new-blueprint", url.Values{"name": {"net"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	w = a.PostForm(paths.EditAdd("team", "net"), url.Values{"type": {"azurerm_resource_group"}, "kind": {"resource"}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	ed := webtest.ParseHTML(t, a.Get(w.Header().Get("Location"), false))
	f := ed.Find(`[data-testid="finding"][data-item="azurerm_resource_group.main"]`)
	if f.Length() != 1 || !strings.Contains(f.AttrOr("data-summary", ""), "cost-center") {
		t.Fatalf("the editor does not show the required-tags finding: %q", ed.Find(`[data-testid="preview-guardrails"]`).Text())
	}
	if f.AttrOr("data-field", "") != "tags" {
		t.Errorf("finding placed on %q, want the tags field", f.AttrOr("data-field", ""))
	}
	if !strings.Contains(ed.Find(`[data-error-for="tags"]`).Text(), "cost-center") {
		t.Error("the finding is not shown under the tags field")
	}
	got := a.SubmitItem(ed, func(v url.Values) { v.Set("tags", `{ "cost-center" = "42" }`) })
	if n := got.Find(`[data-testid="preview-guardrails"]`).AttrOr("data-findings", ""); n != "0" {
		t.Errorf("%s findings after setting the tag", n)
	}
}

func TestRulesNeedProjectAdmin(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	ed := a.As("erin")
	if err := a.Store.SetMember(context.Background(), "team", "erin", "editor"); err != nil {
		t.Fatal(err)
	}
	webtest.WantStatus(t, ed.Get(paths.Rules("team"), false), http.StatusOK)
	webtest.WantStatus(t, ed.PostForm(paths.Rules("team"), url.Values{"rules": {`{"rules":[]}`}}, false), http.StatusForbidden)
}
