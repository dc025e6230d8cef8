package catalogview_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/web/catalogview"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// catalogAddURL is the catalog search in add mode, as the blueprint editor links to it.
func catalogAddURL(q, project, blueprint string) string {
	return "/catalog?" + url.Values{"q": {q}, "project": {project}, "blueprint": {blueprint}}.Encode()
}

// catalogTexts is the trimmed text of each element of sel.
func catalogTexts(sel *goquery.Selection) []string {
	return sel.Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
}

// catalogAttrs is the attribute name of each element of sel.
func catalogAttrs(sel *goquery.Selection, name string) []string {
	return sel.Map(func(_ int, s *goquery.Selection) string { return s.AttrOr(name, "") })
}

func TestCatalogSearchFragment(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get(paths.Catalog("kubernetes cluster"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	// Several Vary headers add up (compression adds Accept-Encoding).
	if vary := strings.Join(w.Header().Values("Vary"), ", "); !strings.Contains(vary, "HX-Request") {
		t.Errorf("Vary %q does not name HX-Request", vary)
	}
	doc := webtest.WantFragment(t, w, "catalog-results")
	group := doc.Find(`section.provider-group[data-provider="azurerm"]`)
	if group.Length() != 1 {
		t.Fatalf("no azurerm group in the results:\n%s", w.Body)
	}
	if got := group.AttrOr("data-provider-source", ""); got != "registry.terraform.io/hashicorp/azurerm" {
		t.Errorf("azurerm group source %q", got)
	}
	aks := group.Find(`li.type-row[data-type="azurerm_kubernetes_cluster"]`)
	if aks.Length() == 0 {
		t.Fatalf("azurerm_kubernetes_cluster is not listed")
	}
	if got := strings.TrimSpace(webtest.ByTestID(aks.First(), "catalog-type-name").Text()); got != "azurerm_kubernetes_cluster" {
		t.Errorf("type name %q", got)
	}
	if got := strings.Join(catalogTexts(webtest.ByTestID(aks, "catalog-type-kind")), ","); got != "resource,data" {
		t.Errorf("kinds %v, want the resource and then the data source", got)
	}
	if got := strings.Join(catalogAttrs(aks, "data-kind"), ","); got != "resource,data" {
		t.Errorf("data-kind %v, want resource,data", got)
	}
	if got := webtest.ByTestID(aks.First(), "catalog-type-link").AttrOr("href", ""); got != paths.CatalogType("resource", "azurerm_kubernetes_cluster") {
		t.Errorf("the row links to %q", got)
	}
	if n := doc.Find("li.type-row").Length(); n > catalogview.CatalogLimit {
		t.Errorf("%d results, more than the limit %d", n, catalogview.CatalogLimit)
	}
	if doc.Find(`form`).Length() != 0 {
		t.Errorf("the results offer Add forms outside add mode:\n%s", w.Body)
	}
}

func TestCatalogSearchGroupsByProviderAndSubcategory(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get(paths.Catalog("kubernetes cluster"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFragment(t, w, "catalog-results")

	providers := catalogAttrs(doc.Find("section.provider-group"), "data-provider")
	if len(providers) < 2 || providers[0] != "azurerm" || providers[1] != "kubernetes" {
		t.Errorf("providers %v, want azurerm (the best match) and then kubernetes first", providers)
	}
	seen := map[string]bool{}
	for _, p := range providers {
		if seen[p] {
			t.Errorf("provider %s has two groups", p)
		}
		seen[p] = true
	}

	azurerm := doc.Find(`section.provider-group[data-provider="azurerm"]`)
	subs := catalogAttrs(azurerm.Find("section.subcategory"), "data-subcategory")
	if len(subs) == 0 || subs[0] != "Container" {
		t.Fatalf("azurerm subcategories %v, want Container, the best match, first", subs)
	}
	if got := catalogTexts(azurerm.Find("section.subcategory").Find(`[data-testid="catalog-subcategory-name"]`)); !cmp.Equal(got, subs) {
		t.Errorf("subcategory headings %v, want %v", got, subs)
	}
	container := azurerm.Find(`section.subcategory[data-subcategory="Container"]`)
	names := catalogAttrs(container.Find("li.type-row"), "data-type")
	for _, want := range []string{"azurerm_kubernetes_cluster", "azurerm_kubernetes_cluster_node_pool"} {
		if !slices.Contains(names, want) {
			t.Errorf("Container lists %v, not %s", names, want)
		}
	}
	if names[0] != "azurerm_kubernetes_cluster" {
		t.Errorf("Container starts with %s, want the best match azurerm_kubernetes_cluster", names[0])
	}
	arc := azurerm.Find(`section.subcategory[data-subcategory="ArcKubernetes"] li.type-row[data-type="azurerm_arc_kubernetes_cluster"]`)
	if arc.Length() == 0 {
		t.Errorf("azurerm_arc_kubernetes_cluster is not under ArcKubernetes")
	}
	if slices.Contains(catalogAttrs(container.Find("li.type-row"), "data-type"), "azurerm_arc_kubernetes_cluster") {
		t.Errorf("azurerm_arc_kubernetes_cluster is under Container")
	}

	summary := strings.TrimSpace(webtest.ByTestID(container.Find(`li.type-row[data-type="azurerm_kubernetes_cluster"][data-kind="resource"]`), "catalog-type-summary").Text())
	if !strings.Contains(summary, "Manages a managed Kubernetes Cluster") {
		t.Errorf("azurerm_kubernetes_cluster summary %q, want the doc's description", summary)
	}
}

func TestCatalogSearchPutsTypesWithoutSubcategoryUnderOther(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	// The random provider's docs name no subcategories.
	w := a.Get(paths.Catalog("random"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFragment(t, w, "catalog-results")
	random := doc.Find(`section.provider-group[data-provider="random"]`)
	if random.Length() != 1 {
		t.Fatalf("no random group:\n%s", w.Body)
	}
	subs := catalogAttrs(random.Find("section.subcategory"), "data-subcategory")
	if !cmp.Equal(subs, []string{"Other"}) {
		t.Errorf("random subcategories %v, want [Other]", subs)
	}
	if random.Find(`section.subcategory[data-subcategory="Other"] li.type-row[data-type="random_string"]`).Length() == 0 {
		t.Errorf("random_string is not under Other")
	}
}

func TestCatalogSearchPage(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get(paths.Catalog("kubernetes cluster"), false)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFullPage(t, w)
	input := webtest.ByTestID(doc, "catalog-search-input")
	if got := input.AttrOr("value", ""); got != "kubernetes cluster" {
		t.Errorf("the search box shows %q", got)
	}
	for attr, want := range map[string]string{
		"hx-get":     paths.Catalog(""),
		"hx-trigger": "input changed delay:200ms, search",
		"hx-target":  "#catalog-results",
		"name":       "q",
	} {
		if got := input.AttrOr(attr, ""); got != want {
			t.Errorf("search input %s=%q, want %q", attr, got, want)
		}
	}
	form := webtest.ByTestID(doc, "catalog-search-form")
	if form.Find(`input[type="hidden"]`).Length() != 0 {
		t.Errorf("the search form carries hidden fields outside add mode")
	}
	if webtest.ByTestID(doc, "catalog-add-target").Length() != 0 {
		t.Errorf("the page says it adds to a blueprint outside add mode")
	}
	if webtest.ByTestID(doc, "catalog-results").Find(`[data-type="azurerm_kubernetes_cluster"]`).Length() == 0 {
		t.Errorf("the full page does not list the results")
	}
	if webtest.ByTestID(doc, "nav-catalog").AttrOr("aria-current", "") != "page" {
		t.Errorf("the Catalog nav link is not current")
	}
}

func TestCatalogAddMode(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	target := catalogAddURL("kubernetes cluster", "demo", "web-app")
	action := paths.EditAdd("demo", "web-app")

	t.Run("rows carry an Add form", func(t *testing.T) {
		t.Parallel()
		w := a.Get(target, true)
		webtest.WantStatus(t, w, http.StatusOK)
		doc := webtest.WantFragment(t, w, "catalog-results")
		results := doc.Find("#catalog-results")
		if results.AttrOr("data-project", "") != "demo" || results.AttrOr("data-blueprint", "") != "web-app" {
			t.Errorf("results carry project %q and blueprint %q", results.AttrOr("data-project", ""), results.AttrOr("data-blueprint", ""))
		}
		rows := doc.Find("li.type-row")
		if rows.Length() == 0 {
			t.Fatalf("no results:\n%s", w.Body)
		}
		rows.Each(func(_ int, row *goquery.Selection) {
			name, kind := row.AttrOr("data-type", ""), row.AttrOr("data-kind", "")
			forms := row.Find("form")
			if forms.Length() != 1 {
				t.Errorf("%s (%s) has %d forms, want 1", name, kind, forms.Length())
				return
			}
			if got := forms.AttrOr("method", ""); got != "post" {
				t.Errorf("%s form method %q", name, got)
			}
			if got := forms.AttrOr("action", ""); got != action {
				t.Errorf("%s form posts to %q, want %q", name, got, action)
			}
			hidden := map[string]string{}
			forms.Find(`input[type="hidden"]`).Each(func(_ int, in *goquery.Selection) {
				hidden[in.AttrOr("name", "")] = in.AttrOr("value", "")
			})
			if hidden[page.CSRFField] == "" {
				t.Errorf("%s form carries no CSRF token", name)
			}
			delete(hidden, page.CSRFField)
			if diff := cmp.Diff(map[string]string{"type": name, "kind": kind}, hidden); diff != "" {
				t.Errorf("%s hidden fields (-want +got):\n%s", name, diff)
			}
			button := forms.Find(`button[type="submit"]`)
			if got := strings.TrimSpace(button.Text()); got != "Add" {
				t.Errorf("%s button says %q", name, got)
			}
			if got := button.AttrOr("aria-label", ""); got != "Add "+name {
				t.Errorf("%s button aria-label %q", name, got)
			}
			if got := webtest.ByTestID(row, "catalog-type-link").AttrOr("href", ""); got != paths.CatalogType(kind, name) {
				t.Errorf("%s links to %q", name, got)
			}
		})
		kinds := map[string]bool{}
		for _, k := range catalogAttrs(rows, "data-kind") {
			kinds[k] = true
		}
		if !kinds["resource"] || !kinds["data"] {
			t.Errorf("kinds %v, want both resources and data sources", kinds)
		}
	})

	t.Run("the search keeps add mode", func(t *testing.T) {
		t.Parallel()
		w := a.Get(target, false)
		webtest.WantStatus(t, w, http.StatusOK)
		doc := webtest.WantFullPage(t, w)
		form := webtest.ByTestID(doc, "catalog-search-form")
		hidden := map[string]string{}
		form.Find(`input[type="hidden"]`).Each(func(_ int, in *goquery.Selection) {
			hidden[in.AttrOr("name", "")] = in.AttrOr("value", "")
		})
		if diff := cmp.Diff(map[string]string{"project": "demo", "blueprint": "web-app"}, hidden); diff != "" {
			t.Errorf("search form hidden fields (-want +got):\n%s", diff)
		}
		input := webtest.ByTestID(form, "catalog-search-input")
		// A GET sends only the input itself unless it includes its form.
		if got := input.AttrOr("hx-include", ""); got != "closest form" {
			t.Errorf("search input hx-include=%q, want closest form", got)
		}
		if got := input.AttrOr("hx-get", ""); got != paths.Catalog("") {
			t.Errorf("search input hx-get=%q", got)
		}
		if got := webtest.ByTestID(doc, "catalog-add-back").AttrOr("href", ""); got != paths.Edit("demo", "web-app") {
			t.Errorf("the way back links to %q", got)
		}
		if webtest.ByTestID(doc, "catalog-results").Find("li.type-row form").Length() == 0 {
			t.Errorf("the full page has no Add forms")
		}
	})

	t.Run("empty query shows a hint", func(t *testing.T) {
		t.Parallel()
		for _, htmx := range []bool{false, true} {
			w := a.Get(catalogAddURL("", "demo", "web-app"), htmx)
			webtest.WantStatus(t, w, http.StatusOK)
			var doc *goquery.Document
			if htmx {
				doc = webtest.WantFragment(t, w, "catalog-results")
			} else {
				doc = webtest.WantFullPage(t, w)
			}
			if hint := webtest.WantOne(t, doc, "catalog-add-hint"); hint == "" {
				t.Errorf("the hint is empty")
			}
			if webtest.ByTestID(doc, "catalog-providers").Length() != 0 {
				t.Errorf("add mode lists the providers on an empty query")
			}
		}
	})
}

func TestCatalogAddModeIgnoresInvalidNames(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	for _, tc := range []struct {
		name, project, blueprint string
	}{
		{"invalid project", "Not A Name", "web-app"},
		{"invalid blueprint", "demo", "../web"},
		{"missing blueprint", "demo", ""},
		{"missing project", "", "web-app"},
		{"project too long", strings.Repeat("a", 64), "web-app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := a.Get(catalogAddURL("kubernetes cluster", tc.project, tc.blueprint), false)
			webtest.WantStatus(t, w, http.StatusOK)
			doc := webtest.WantFullPage(t, w)
			if doc.Find("li.type-row").Length() == 0 {
				t.Fatalf("no results:\n%s", w.Body)
			}
			if n := doc.Find("li.type-row form").Length(); n != 0 {
				t.Errorf("%d Add forms, want none", n)
			}
			if n := webtest.ByTestID(doc, "catalog-search-form").Find(`input[type="hidden"]`).Length(); n != 0 {
				t.Errorf("the search form carries %d hidden fields, want none", n)
			}
			if webtest.ByTestID(doc, "catalog-add-target").Length() != 0 {
				t.Errorf("the page says it adds to a blueprint")
			}

			// An empty query lists the providers as outside add mode.
			w = a.Get(catalogAddURL("", tc.project, tc.blueprint), true)
			webtest.WantStatus(t, w, http.StatusOK)
			doc = webtest.WantFragment(t, w, "catalog-results")
			if webtest.ByTestID(doc, "catalog-add-hint").Length() != 0 || webtest.ByTestID(doc, "catalog-providers").Length() != 1 {
				t.Errorf("an empty query does not list the providers:\n%s", w.Body)
			}
		})
	}
}

func TestCatalogPageListsProviders(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	for _, htmx := range []bool{false, true} {
		w := a.Get(paths.Catalog(""), htmx)
		webtest.WantStatus(t, w, http.StatusOK)
		var doc *goquery.Document
		if htmx {
			// Clearing the search box brings the provider list back.
			doc = webtest.WantFragment(t, w, "catalog-results")
		} else {
			doc = webtest.WantFullPage(t, w)
		}
		rows := webtest.ByTestID(doc, "catalog-provider")
		if rows.Length() != len(webtest.Catalog(t).Providers()) {
			t.Fatalf("%d provider rows, want %d", rows.Length(), len(webtest.Catalog(t).Providers()))
		}
		azurerm := doc.Find(`[data-testid="catalog-provider"][data-provider="registry.terraform.io/hashicorp/azurerm"]`)
		if got := strings.TrimSpace(webtest.ByTestID(azurerm, "provider-version").Text()); got != "5.2.0" {
			t.Errorf("azurerm version %q", got)
		}
		if got := strings.TrimSpace(webtest.ByTestID(azurerm, "provider-resources").Text()); got == "" || got == "0" {
			t.Errorf("azurerm resource count %q", got)
		}
		if got := strings.TrimSpace(webtest.ByTestID(azurerm, "provider-data-sources").Text()); got == "" || got == "0" {
			t.Errorf("azurerm data source count %q", got)
		}
	}
}

func TestCatalogSearchWithoutMatches(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get("/catalog?"+url.Values{"q": {"zzqqxx <script>"}}.Encode(), true)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFragment(t, w, "catalog-results")
	if msg := webtest.WantOne(t, doc, "catalog-no-results"); !strings.Contains(msg, "zzqqxx <script>") {
		t.Errorf("no-results message %q", msg)
	}
	if strings.Contains(w.Body.String(), "<script>") {
		t.Errorf("the query is not escaped:\n%s", w.Body)
	}
}

func TestCatalogSearchTruncates(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	// Every azurerm type matches its provider's name.
	w := a.Get(paths.Catalog("azurerm"), true)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFragment(t, w, "catalog-results")
	if n := doc.Find("li.type-row").Length(); n != catalogview.CatalogLimit {
		t.Errorf("%d rows, want the limit %d", n, catalogview.CatalogLimit)
	}
	if got := webtest.WantOne(t, doc, "catalog-count"); !strings.Contains(got, "The first 50 matches") {
		t.Errorf("count line %q does not say the results were cut", got)
	}
}
