package web

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/paths"
)

func TestTypePageKubernetesCluster(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get(paths.CatalogType("resource", "azurerm_kubernetes_cluster"), false)
	wantStatus(t, w, http.StatusOK)
	doc := wantFullPage(t, w)
	if got := wantOne(t, doc, "type-title"); got != "azurerm_kubernetes_cluster" {
		t.Errorf("title %q", got)
	}
	if got := wantOne(t, doc, "type-version"); got == "" {
		t.Errorf("no provider version")
	}
	if got := wantOne(t, doc, "type-subcategory"); got != "Container" {
		t.Errorf("subcategory %q, want Container", got)
	}
	if byTestID(doc, "note").Length() == 0 {
		t.Errorf("no notes")
	}
	if byTestID(doc, "example").Length() == 0 {
		t.Errorf("no examples")
	}

	args := byTestID(doc, "arguments")
	pool := args.Find(`[data-testid="block-section"][data-path="default_node_pool"]`)
	if pool.Length() != 1 {
		t.Fatalf("found %d default_node_pool sections, want 1", pool.Length())
	}
	if got := strings.TrimSpace(byTestID(pool, "block-limits").First().Text()); got != "exactly 1" {
		t.Errorf("default_node_pool limits %q, want exactly 1", got)
	}
	vmSize := pool.Find(`[data-testid="arg-row"][data-path="default_node_pool.vm_size"]`)
	if vmSize.Length() != 1 {
		t.Fatalf("found %d vm_size rows, want 1", vmSize.Length())
	}
	if d := strings.TrimSpace(byTestID(vmSize, "arg-description").Text()); d == "" || d == "—" {
		t.Errorf("vm_size has no description")
	}

	location := args.Find(`[data-testid="arg-row"][data-path="location"]`)
	if location.Length() != 1 {
		t.Fatalf("found %d location rows, want 1", location.Length())
	}
	if byTestID(location, "arg-required").Length() != 1 {
		t.Errorf("location is not marked Required")
	}
	if got := strings.TrimSpace(byTestID(location, "arg-type").Text()); got != "string" {
		t.Errorf("location type %q, want string", got)
	}

	// Required arguments come first in each table.
	var sawOptional bool
	rows := args.Children().Filter("table").First().Find(`[data-testid="arg-row"]`)
	for i := range rows.Length() {
		required := byTestID(rows.Eq(i), "arg-required").Length() == 1
		if required && sawOptional {
			t.Errorf("required %s after an optional argument", rows.Eq(i).AttrOr("data-path", ""))
		}
		sawOptional = sawOptional || !required
	}

	if args.Find(`[data-path="fqdn"]`).Length() != 0 {
		t.Errorf("fqdn is listed as an argument")
	}
	if byTestID(doc, "attributes").Find(`[data-testid="attr-row"][data-path="fqdn"]`).Length() != 1 {
		t.Errorf("fqdn is not listed as an attribute")
	}
	if got := byTestID(doc, "attributes").Find(`[data-path="kube_admin_config_raw"] [data-testid="badge-sensitive"]`).Length(); got != 1 {
		t.Errorf("kube_admin_config_raw is not marked sensitive")
	}
}

func TestTypePageDataSource(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	w := a.get(paths.CatalogType("data", "azurerm_client_config"), false)
	wantStatus(t, w, http.StatusOK)
	doc := wantFullPage(t, w)
	if got := wantOne(t, doc, "type-title"); got != "azurerm_client_config" {
		t.Errorf("title %q", got)
	}
	if got := wantOne(t, doc, "type-kind"); got != "data" {
		t.Errorf("kind %q, want data", got)
	}
	if byTestID(doc, "attributes").Find(`[data-testid="attr-row"][data-path="tenant_id"]`).Length() != 1 {
		t.Errorf("tenant_id is not listed as an attribute")
	}
}

func TestTypePageNotFound(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for _, path := range []string{
		paths.CatalogType("resource", "azurerm_no_such_thing"),
		paths.CatalogType("data", "azurerm_no_such_thing"),
		paths.CatalogType("module", "azurerm_kubernetes_cluster"),
		"/catalog/types/resource",
	} {
		w := a.get(path, false)
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, w.Code)
		}
	}
}

func TestCatalogResultsLinkToTypePages(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	doc := parseHTML(t, a.get(paths.Catalog("kubernetes cluster"), true))
	row := doc.Find(`[data-testid="catalog-type"][data-type="azurerm_kubernetes_cluster"][data-kind="resource"]`)
	if got := byTestID(row, "catalog-type-link").AttrOr("href", ""); got != "/catalog/types/resource/azurerm_kubernetes_cluster" {
		t.Errorf("link %q", got)
	}
}

const xss = "harmless <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"

// xssCatalog is a catalog whose docs try every trick the markdown renderer must defuse.
func xssCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	block := &tfjson.SchemaBlock{
		Attributes: map[string]*tfjson.SchemaAttribute{
			"name": {AttributeType: cty.String, Required: true, Description: xss},
			"tags": {AttributeType: cty.Map(cty.String), Optional: true},
			"id":   {AttributeType: cty.String, Computed: true},
		},
		NestedBlocks: map[string]*tfjson.SchemaBlockType{
			"rule": {NestingMode: tfjson.SchemaNestingModeList, MinItems: 1, MaxItems: 3, Block: &tfjson.SchemaBlock{
				Attributes: map[string]*tfjson.SchemaAttribute{
					"port": {AttributeType: cty.Number, Optional: true, Sensitive: true, Deprecated: true},
				},
			}},
		},
	}
	cat, err := catalog.New([]*catalog.Provider{{
		Source: "registry.terraform.io/evil/evil", Namespace: "evil", Name: "evil", Version: "1.0.0",
		Schema: &tfjson.ProviderSchema{ResourceSchemas: map[string]*tfjson.Schema{"evil_thing": {Block: block}}},
		Docs: &catalog.Docs{Resources: map[string]*catalog.Doc{"evil_thing": {
			Title:       "evil_thing <script>alert(1)</script>",
			Subcategory: "<script>alert(1)</script>",
			Description: xss,
			Body:        xss + "\n\n-> **Note:** " + xss,
			Notes:       []catalog.Note{{Kind: "warning", Text: xss}, {Kind: `"><script>`, Text: xss}},
			Examples:    []string{"</code></pre>" + xss},
			Arguments:   map[string]string{"name": xss, "rule": xss, "rule.port": xss},
			Attributes:  map[string]string{"id": xss},
			Import:      xss,
		}}},
	}})
	if err != nil {
		t.Fatalf("building the catalog: %v", err)
	}
	return cat
}

func TestTypePageRendersDocsInert(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	app := &testApp{t: t, store: st}
	app.handler = newHandler(t, Config{Store: st, Catalog: xssCatalog(t), Logger: app.logger()})
	app.signInAdmin()
	w := app.get(paths.CatalogType("resource", "evil_thing"), false)
	wantStatus(t, w, http.StatusOK)
	doc := wantFullPage(t, w)
	wantInert(t, w.Body.String())
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
	if got := wantOne(t, doc, "type-description"); !strings.Contains(got, "harmless <script>") {
		t.Errorf("the plain-text description is not shown escaped: %q", got)
	}
	if n := byTestID(doc, "note").Length(); n != 2 {
		t.Errorf("%d notes, want 2", n)
	}
	if got := doc.Find(`[data-testid="block-section"][data-path="rule"] [data-testid="block-limits"]`).Text(); got != "1 to 3" {
		t.Errorf("rule limits %q, want 1 to 3", got)
	}
	port := doc.Find(`[data-testid="arg-row"][data-path="rule.port"]`)
	if byTestID(port, "badge-sensitive").Length() != 1 || byTestID(port, "badge-deprecated").Length() != 1 {
		t.Errorf("rule.port lacks its sensitive and deprecated badges")
	}
	if got := strings.TrimSpace(doc.Find(`[data-path="tags"] [data-testid="arg-type"]`).Text()); got != "map(string)" {
		t.Errorf("tags type %q, want map(string)", got)
	}
	if got := strings.TrimSpace(byTestID(doc, "example").Text()); !strings.HasPrefix(got, "</code></pre>harmless <script>") {
		t.Errorf("the example is not shown as text: %q", got)
	}
}

func TestWithoutLead(t *testing.T) {
	t.Parallel()
	tests := []struct{ body, description, want string }{
		{"Manages a Thing.\n\nMore.", "manages a thing", "More."},
		{"Manages a Thing.", "Manages a Thing", ""},
		{"Something else.\n\nMore.", "Manages a Thing", "Something else.\n\nMore."},
		{"Manages a Thing.", "", "Manages a Thing."},
	}
	for _, tt := range tests {
		if got := withoutLead(tt.body, tt.description); got != tt.want {
			t.Errorf("withoutLead(%q, %q) = %q, want %q", tt.body, tt.description, got, tt.want)
		}
	}
}
