package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestCatalogSearchFragment(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get(catalogPath("kubernetes cluster"), true)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Header().Get("Vary"), "HX-Request") {
		t.Errorf("Vary %q does not name HX-Request", w.Header().Get("Vary"))
	}
	doc := wantFragment(t, w, "catalog-results")
	group := doc.Find(`[data-testid="catalog-group"][data-provider="registry.terraform.io/hashicorp/azurerm"]`)
	if group.Length() != 1 {
		t.Fatalf("no azurerm group in the results:\n%s", w.Body)
	}
	aks := group.Find(`[data-testid="catalog-type"][data-type="azurerm_kubernetes_cluster"]`)
	if aks.Length() == 0 {
		t.Fatalf("azurerm_kubernetes_cluster is not listed")
	}
	if got := strings.TrimSpace(byTestID(aks.First(), "catalog-type-name").Text()); got != "azurerm_kubernetes_cluster" {
		t.Errorf("type name %q", got)
	}
	kinds := byTestID(aks, "catalog-type-kind").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
	if strings.Join(kinds, ",") != "resource,data" {
		t.Errorf("kinds %v, want the resource and then the data source", kinds)
	}
	if n := byTestID(doc, "catalog-type").Length(); n > catalogLimit {
		t.Errorf("%d results, more than the limit %d", n, catalogLimit)
	}
}

func TestCatalogSearchPage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get(catalogPath("kubernetes cluster"), false)
	wantStatus(t, w, http.StatusOK)
	doc := wantFullPage(t, w)
	input := byTestID(doc, "catalog-search-input")
	if got := input.AttrOr("value", ""); got != "kubernetes cluster" {
		t.Errorf("the search box shows %q", got)
	}
	for attr, want := range map[string]string{
		"hx-get":     catalogPath(""),
		"hx-trigger": "input changed delay:150ms, search",
		"hx-target":  "#catalog-results",
		"name":       "q",
	} {
		if got := input.AttrOr(attr, ""); got != want {
			t.Errorf("search input %s=%q, want %q", attr, got, want)
		}
	}
	if byTestID(doc, "catalog-results").Find(`[data-type="azurerm_kubernetes_cluster"]`).Length() == 0 {
		t.Errorf("the full page does not list the results")
	}
	if byTestID(doc, "nav-catalog").AttrOr("aria-current", "") != "page" {
		t.Errorf("the Catalog nav link is not current")
	}
}

func TestCatalogPageListsProviders(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for _, htmx := range []bool{false, true} {
		w := a.get(catalogPath(""), htmx)
		wantStatus(t, w, http.StatusOK)
		var doc *goquery.Document
		if htmx {
			// Clearing the search box brings the provider list back.
			doc = wantFragment(t, w, "catalog-results")
		} else {
			doc = wantFullPage(t, w)
		}
		rows := byTestID(doc, "catalog-provider")
		if rows.Length() != len(testCatalog(t).Providers()) {
			t.Fatalf("%d provider rows, want %d", rows.Length(), len(testCatalog(t).Providers()))
		}
		azurerm := doc.Find(`[data-testid="catalog-provider"][data-provider="registry.terraform.io/hashicorp/azurerm"]`)
		if got := strings.TrimSpace(byTestID(azurerm, "provider-version").Text()); got != "5.2.0" {
			t.Errorf("azurerm version %q", got)
		}
		if got := strings.TrimSpace(byTestID(azurerm, "provider-resources").Text()); got == "" || got == "0" {
			t.Errorf("azurerm resource count %q", got)
		}
		if got := strings.TrimSpace(byTestID(azurerm, "provider-data-sources").Text()); got == "" || got == "0" {
			t.Errorf("azurerm data source count %q", got)
		}
	}
}

func TestCatalogSearchWithoutMatches(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get("/catalog?"+url.Values{"q": {"zzqqxx <script>"}}.Encode(), true)
	wantStatus(t, w, http.StatusOK)
	doc := wantFragment(t, w, "catalog-results")
	if msg := wantOne(t, doc, "catalog-no-results"); !strings.Contains(msg, "zzqqxx <script>") {
		t.Errorf("no-results message %q", msg)
	}
	if strings.Contains(w.Body.String(), "<script>") {
		t.Errorf("the query is not escaped:\n%s", w.Body)
	}
}
