package blueprints_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestVersionDiffSaysWhatIsReplaced: comparing two versions lists the resources going from
// one to the other replaces, with the docs' sentence.
func TestVersionDiffSaysWhatIsReplaced(t *testing.T) {
	t.Parallel()
	cat := testenv.CatalogWithRules(t, map[string]testenv.TypeRules{
		"azurerm_resource_group": {"location": {{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new Resource Group to be created."}}},
	})
	a := webtest.NewAppWith(t, func(c *web.Config) { c.Catalog = cat })
	a.CreateProject("team")
	a.ImportDoc("team", webtest.GuardedDoc, "first")
	a.ImportDoc("team", strings.Replace(webtest.GuardedDoc, `"location": {"ref": "var.location"}`, `"location": {"literal": "westeurope"}`, 1), "pin the region")

	w := a.Get(paths.Diff("team", "app")+"?from=1&to=2", false)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.ParseHTML(t, w)
	rep := webtest.ByTestID(doc, "replacement")
	if rep.Length() != 1 || rep.AttrOr("data-certain", "") != "false" {
		t.Fatalf("replacements:\n%s", webtest.HTML(t, doc))
	}
	if got := strings.TrimSpace(webtest.ByTestID(rep, "replacement-text").Text()); got != "azurerm_resource_group.rg may be replaced: location changes" {
		t.Errorf("replacement says %q", got)
	}

	// The same version on both sides compares nothing, and replaces nothing.
	w = a.Get(paths.Diff("team", "app")+"?from=2&to=2", false)
	if n := webtest.ByTestID(webtest.ParseHTML(t, w), "replacements").Length(); n != 0 {
		t.Errorf("the same version shows %d replacement lists", n)
	}
}
