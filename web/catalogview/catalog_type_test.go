package catalogview_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/htmltest"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

func TestTypePageKubernetesCluster(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get(paths.CatalogType("resource", "azurerm_kubernetes_cluster"), false)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFullPage(t, w)
	if got := webtest.WantOne(t, doc, "type-title"); got != "azurerm_kubernetes_cluster" {
		t.Errorf("title %q", got)
	}
	if got := webtest.WantOne(t, doc, "type-version"); got == "" {
		t.Errorf("no provider version")
	}
	if got := webtest.WantOne(t, doc, "type-subcategory"); got != "Container" {
		t.Errorf("subcategory %q, want Container", got)
	}
	if webtest.ByTestID(doc, "note").Length() == 0 {
		t.Errorf("no notes")
	}
	if webtest.ByTestID(doc, "example").Length() == 0 {
		t.Errorf("no examples")
	}

	args := webtest.ByTestID(doc, "arguments")
	pool := args.Find(`[data-testid="block-section"][data-path="default_node_pool"]`)
	if pool.Length() != 1 {
		t.Fatalf("found %d default_node_pool sections, want 1", pool.Length())
	}
	if got := strings.TrimSpace(webtest.ByTestID(pool, "block-limits").First().Text()); got != "exactly 1" {
		t.Errorf("default_node_pool limits %q, want exactly 1", got)
	}
	vmSize := pool.Find(`[data-testid="arg-row"][data-path="default_node_pool.vm_size"]`)
	if vmSize.Length() != 1 {
		t.Fatalf("found %d vm_size rows, want 1", vmSize.Length())
	}
	if d := strings.TrimSpace(webtest.ByTestID(vmSize, "arg-description").Text()); d == "" || d == "—" {
		t.Errorf("vm_size has no description")
	}

	location := args.Find(`[data-testid="arg-row"][data-path="location"]`)
	if location.Length() != 1 {
		t.Fatalf("found %d location rows, want 1", location.Length())
	}
	if webtest.ByTestID(location, "arg-required").Length() != 1 {
		t.Errorf("location is not marked Required")
	}
	if got := strings.TrimSpace(webtest.ByTestID(location, "arg-type").Text()); got != "string" {
		t.Errorf("location type %q, want string", got)
	}

	// Required arguments come first in each table.
	var sawOptional bool
	rows := args.Children().Filter("table").First().Find(`[data-testid="arg-row"]`)
	for i := range rows.Length() {
		required := webtest.ByTestID(rows.Eq(i), "arg-required").Length() == 1
		if required && sawOptional {
			t.Errorf("required %s after an optional argument", rows.Eq(i).AttrOr("data-path", ""))
		}
		sawOptional = sawOptional || !required
	}

	if args.Find(`[data-path="fqdn"]`).Length() != 0 {
		t.Errorf("fqdn is listed as an argument")
	}
	if webtest.ByTestID(doc, "attributes").Find(`[data-testid="attr-row"][data-path="fqdn"]`).Length() != 1 {
		t.Errorf("fqdn is not listed as an attribute")
	}
	if got := webtest.ByTestID(doc, "attributes").Find(`[data-path="kube_admin_config_raw"] [data-testid="badge-sensitive"]`).Length(); got != 1 {
		t.Errorf("kube_admin_config_raw is not marked sensitive")
	}
}

func TestTypePageDataSource(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	w := a.Get(paths.CatalogType("data", "azurerm_client_config"), false)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFullPage(t, w)
	if got := webtest.WantOne(t, doc, "type-title"); got != "azurerm_client_config" {
		t.Errorf("title %q", got)
	}
	if got := webtest.WantOne(t, doc, "type-kind"); got != "data" {
		t.Errorf("kind %q, want data", got)
	}
	if webtest.ByTestID(doc, "attributes").Find(`[data-testid="attr-row"][data-path="tenant_id"]`).Length() != 1 {
		t.Errorf("tenant_id is not listed as an attribute")
	}
}

func TestTypePageNotFound(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	for _, path := range []string{
		paths.CatalogType("resource", "azurerm_no_such_thing"),
		paths.CatalogType("data", "azurerm_no_such_thing"),
		paths.CatalogType("module", "azurerm_kubernetes_cluster"),
		"/catalog/types/resource",
	} {
		w := a.Get(path, false)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, w.Code)
		}
	}
}

func TestCatalogResultsLinkToTypePages(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	doc := webtest.ParseHTML(t, a.Get(paths.Catalog("kubernetes cluster"), true))
	row := doc.Find(`[data-testid="catalog-type"][data-type="azurerm_kubernetes_cluster"][data-kind="resource"]`)
	if got := webtest.ByTestID(row, "catalog-type-link").AttrOr("href", ""); got != "/catalog/types/resource/azurerm_kubernetes_cluster" {
		t.Errorf("link %q", got)
	}
}

func TestTypePageRendersDocsInert(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	app := &webtest.App{T: t, Store: st}
	app.Handler = webtest.NewHandler(t, web.Config{Store: st, Catalog: webtest.XSSCatalog(t), Logger: app.Logger()})
	app.SignInAdmin()
	w := app.Get(paths.CatalogType("resource", "evil_thing"), false)
	webtest.WantStatus(t, w, http.StatusOK)
	doc := webtest.WantFullPage(t, w)
	htmltest.WantInert(t, w.Body.String())
	if doc.Find("script:not([src])").Length() != 0 {
		t.Errorf("an inline script made it into the page")
	}
	if doc.Find(`[href^="javascript"], [onerror]`).Length() != 0 {
		t.Errorf("a javascript: link or an onerror attribute made it into the page")
	}
	desc := doc.Find(`[data-testid="arg-row"][data-path="name"] [data-testid="arg-description"]`)
	if desc.Length() != 1 || !strings.Contains(desc.Text(), "harmless") {
		t.Errorf("the name argument's description is missing")
	}
	if got := webtest.WantOne(t, doc, "type-description"); !strings.Contains(got, "harmless <script>") {
		t.Errorf("the plain-text description is not shown escaped: %q", got)
	}
	if n := webtest.ByTestID(doc, "note").Length(); n != 2 {
		t.Errorf("%d notes, want 2", n)
	}
	if got := doc.Find(`[data-testid="block-section"][data-path="rule"] [data-testid="block-limits"]`).Text(); got != "1 to 3" {
		t.Errorf("rule limits %q, want 1 to 3", got)
	}
	port := doc.Find(`[data-testid="arg-row"][data-path="rule.port"]`)
	if webtest.ByTestID(port, "badge-sensitive").Length() != 1 || webtest.ByTestID(port, "badge-deprecated").Length() != 1 {
		t.Errorf("rule.port lacks its sensitive and deprecated badges")
	}
	if got := strings.TrimSpace(doc.Find(`[data-path="tags"] [data-testid="arg-type"]`).Text()); got != "map(string)" {
		t.Errorf("tags type %q, want map(string)", got)
	}
	if got := strings.TrimSpace(webtest.ByTestID(doc, "example").Text()); !strings.HasPrefix(got, "</code></pre>harmless <script>") {
		t.Errorf("the example is not shown as text: %q", got)
	}
}
