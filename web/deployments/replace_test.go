package deployments_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestPromotePreviewSaysWhatIsReplaced: the preview of a promotion lists the resources it
// replaces, from the two versions' values and the docs' forces_new rules.
func TestPromotePreviewSaysWhatIsReplaced(t *testing.T) {
	t.Parallel()
	forcesNew := []catalog.Rule{{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new Resource Group to be created."}}
	cat := testenv.CatalogWithRules(t, map[string]testenv.TypeRules{
		"azurerm_resource_group": {"name": forcesNew, "location": forcesNew},
	})
	a := webtest.EnvAppWith(t, func(c *web.Config) { c.Catalog = cat })
	a.ImportDoc("team", webtest.GuardedDoc, "with a resource group")
	path := webtest.SetUpDeployment(t, a)

	// Only the tags change: nothing is replaced.
	a.ImportDoc("team", strings.Replace(webtest.GuardedDoc, `"location": {"ref": "var.location"}`, `"location": {"ref": "var.location"}, "tags": {"literal": {"team": "a"}}`, 1), "tags")
	diff := promotePreview(t, a, path, "3")
	if n := webtest.ByTestID(diff, "replacements").Length(); n != 0 {
		t.Errorf("a tag change shows replacements:\n%s", webtest.HTML(t, diff))
	}

	// The name changes: the resource group is replaced, and the page says why.
	a.ImportDoc("team", strings.Replace(webtest.GuardedDoc, `"rg-app"`, `"rg-app2"`, 1), "rename the group")
	diff = promotePreview(t, a, path, "4")
	rep := webtest.ByTestID(diff, "replacement")
	if rep.Length() != 1 || rep.AttrOr("data-address", "") != "azurerm_resource_group.rg" {
		t.Fatalf("replacements:\n%s", webtest.HTML(t, diff))
	}
	if got := strings.TrimSpace(webtest.ByTestID(rep, "replacement-text").Text()); got != "azurerm_resource_group.rg will be replaced: name changes" {
		t.Errorf("replacement says %q", got)
	}
	if got := webtest.ByTestID(rep, "replacing-change").Text(); !strings.Contains(got, "Changing this forces a new Resource Group to be created.") {
		t.Errorf("the change does not quote the docs: %q", got)
	}
}

func promotePreview(t *testing.T, a *webtest.App, path, to string) *goquery.Document {
	t.Helper()
	r, _ := http.NewRequest(http.MethodGet, path+"?to="+to, nil)
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Target", "deploy-promote")
	w := a.Do(r)
	webtest.WantStatus(t, w, http.StatusOK)
	return webtest.WantFragment(t, w, "deploy-promote")
}
