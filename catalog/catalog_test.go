package catalog_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

var (
	once   sync.Once
	cat    *catalog.Catalog
	catErr error
)

func embedded(t testing.TB) *catalog.Catalog {
	t.Helper()
	once.Do(func() { cat, catErr = catalog.Load(catalog.Embedded()) })
	if catErr != nil {
		t.Fatal(catErr)
	}
	return cat
}

func TestEmbeddedCatalogHasEveryProvider(t *testing.T) {
	c := embedded(t)
	want := map[string][3]any{
		catalog.BuiltinSource:                        {"1.5.7", 1, 1},
		"registry.terraform.io/hashicorp/azurerm":    {"5.2.0", 1103, 394},
		"registry.terraform.io/hashicorp/azuread":    {"3.9.0", 54, 20},
		"registry.terraform.io/hashicorp/helm":       {"3.1.2", 1, 1},
		"registry.terraform.io/hashicorp/kubernetes": {"3.2.1", 81, 27},
		"registry.terraform.io/hashicorp/random":     {"3.9.0", 10, 0},
	}
	got := map[string][3]any{}
	for _, p := range c.Providers() {
		got[p.Source] = [3]any{p.Version, len(p.Schema.ResourceSchemas), len(p.Schema.DataSourceSchemas)}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}
	if c.Providers()[0].Source != catalog.BuiltinSource {
		t.Errorf("the builtin provider loads first, got %s", c.Providers()[0].Source)
	}
	aks := c.Resource("azurerm_kubernetes_cluster")
	if aks == nil || aks.Provider.Name != "azurerm" || aks.Schema.Block.NestedBlocks["default_node_pool"] == nil {
		t.Fatalf("azurerm_kubernetes_cluster lookup: %+v", aks)
	}
	if c.Resource("azurerm_client_config") != nil || c.DataSource("azurerm_client_config") == nil {
		t.Error("resources and data sources must be looked up separately")
	}
	if c.Resource("terraform_data") == nil || c.DataSource("terraform_remote_state") == nil {
		t.Error("builtin types missing")
	}
	if got := len(c.TypeNames(catalog.KindResource)) + len(c.TypeNames(catalog.KindDataSource)); got != 1693 {
		t.Errorf("%d types, want 1693", got)
	}
}

func TestProviderLookupForms(t *testing.T) {
	c := embedded(t)
	for _, s := range []string{"registry.terraform.io/hashicorp/azurerm", "hashicorp/azurerm", "azurerm", "HashiCorp/AzureRM"} {
		if p := c.Provider(s); p == nil || p.Name != "azurerm" {
			t.Errorf("Provider(%q) = %v", s, p)
		}
	}
	if c.Provider("hashicorp/nope") != nil {
		t.Error("unknown provider found")
	}
}

func TestSearch(t *testing.T) {
	c := embedded(t)
	tests := []struct {
		query string
		kind  catalog.Kind
		first string
	}{
		{"azurerm_kubernetes_cluster", "", "azurerm_kubernetes_cluster"},
		{"kubernetes cluster", catalog.KindResource, "azurerm_kubernetes_cluster"},
		{"resource_group", catalog.KindResource, "azurerm_resource_group"},
		{"key vault", catalog.KindResource, "azurerm_key_vault"},
		{"azurerm client_config", catalog.KindDataSource, "azurerm_client_config"},
		{"terraform_data", "", "terraform_data"},
		{"helm", "", "helm_release"},
		{"random pass", "", "random_password"},
	}
	for _, tt := range tests {
		got := c.Search(tt.query, tt.kind, 10)
		if len(got) == 0 || got[0].Type.Name != tt.first {
			var names []string
			for _, m := range got {
				names = append(names, m.Type.Name)
			}
			t.Errorf("Search(%q) first = %v, want %s", tt.query, names, tt.first)
		}
	}
	if got := c.Search("   ", "", 10); got != nil {
		t.Errorf("blank query matched %d types", len(got))
	}
	if got := c.Search("zzzznotathing", "", 10); len(got) != 0 {
		t.Errorf("nonsense matched %d types", len(got))
	}
	if got := c.Search("azurerm", "", 0); len(got) != 1103+394 {
		t.Errorf("unlimited search for azurerm returned %d, want %d", len(got), 1103+394)
	}
	for _, m := range c.Search("cluster", catalog.KindDataSource, 0) {
		if m.Type.Kind != catalog.KindDataSource {
			t.Fatalf("kind filter let %s through", m.Type.Name)
		}
	}
}

func sampleSchema() *tfjson.ProviderSchema {
	return &tfjson.ProviderSchema{ResourceSchemas: map[string]*tfjson.Schema{
		"demo_thing": {Block: &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{}}},
	}}
}

func TestWriteIsDeterministicAndLoadable(t *testing.T) {
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var outputs [][]byte
	for range 2 {
		dir := t.TempDir()
		if _, err := catalog.Write(dir, catalog.ProviderVersion{Source: "example/demo", Version: "1.0.0", CrawledAt: at, Schema: sampleSchema(),
			Docs: &catalog.Docs{Resources: map[string]*catalog.Doc{"demo_thing": {Subcategory: "Things", Title: "demo_thing"}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := catalog.Write(dir, catalog.ProviderVersion{Source: "example/demo", Version: "0.9.0", CrawledAt: at, Schema: sampleSchema()}); err != nil {
			t.Fatal(err)
		}
		c, err := catalog.Load(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		p := c.Provider("example/demo")
		if p == nil || p.Version != "1.0.0" {
			t.Fatalf("the newest version must load, got %+v", p)
		}
		if typ := c.Resource("demo_thing"); typ == nil || typ.Doc == nil || typ.Doc.Subcategory != "Things" {
			t.Fatalf("docs not attached: %+v", typ)
		}
		if got := c.Search("things", "", 5); len(got) != 1 {
			t.Errorf("subcategory search found %d", len(got))
		}
		var all []byte
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if d.IsDir() {
				return nil
			}
			if strings.Contains(d.Name(), ".tmp-") {
				t.Errorf("temporary file left behind: %s", path)
			}
			b, _ := os.ReadFile(path)
			all = append(append(all, path[len(dir):]...), b...)
			return nil
		})
		outputs = append(outputs, all)
	}
	if !bytes.Equal(outputs[0], outputs[1]) {
		t.Error("writing the same input twice produced different bytes")
	}
}

func TestLoadRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	if _, err := catalog.Write(dir, catalog.ProviderVersion{Source: "example/demo", Version: "1.0.0", Schema: sampleSchema()}); err != nil {
		t.Fatal(err)
	}
	idx, err := catalog.ReadIndex(dir)
	if err != nil || len(idx.Providers) != 1 || len(idx.Providers[0].Files) != 1 {
		t.Fatalf("index after one write: %+v, %v", idx, err)
	}
	var schemaPath string
	for name := range idx.Providers[0].Files {
		schemaPath = idx.Providers[0].Dir() + "/" + name
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	schema, _ := os.ReadFile(filepath.Join(dir, schemaPath))
	tests := []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{"no index", fstest.MapFS{}, "reading catalog index"},
		{"bad index", fstest.MapFS{"index.json": {Data: []byte("{")}}, "reading catalog index"},
		{"future index", fstest.MapFS{"index.json": {Data: []byte(`{"format":2}`)}}, "format 2 is not supported"},
		{"schema edited", fstest.MapFS{"index.json": {Data: index}, schemaPath: {Data: append(schema, ' ')}}, "does not match the index"},
		{"schema missing", fstest.MapFS{"index.json": {Data: index}}, "file does not exist"},
		{"path escape", fstest.MapFS{"index.json": {Data: []byte(`{"format":1,"providers":[{"source":"../../etc","version":"1","files":{"schema.json":"x"}}]}`)}}, "not a valid source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := catalog.Load(tt.files)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// A crawl writes new files first and commits the index last: killed in between, the catalog
// that loads is exactly the previous one, and the next commit sweeps the leftovers.
func TestWriteFilesLeavesCatalogUntilCommit(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if _, err := catalog.Write(dir, catalog.ProviderVersion{Source: "example/demo", Version: "1.0.0", CrawledAt: at, Schema: sampleSchema()}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "index.json"))

	changed := sampleSchema()
	changed.ResourceSchemas["demo_other"] = changed.ResourceSchemas["demo_thing"]
	entry, err := catalog.WriteFiles(dir, catalog.ProviderVersion{Source: "example/demo", Version: "1.0.0", CrawledAt: at, Schema: changed})
	if err != nil {
		t.Fatal(err)
	}
	// "Killed" here: the index is untouched and still loads the old schema.
	after, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	if !bytes.Equal(before, after) {
		t.Fatal("WriteFiles changed the index")
	}
	c, err := catalog.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("the previous catalog must still load: %v", err)
	}
	if c.Resource("demo_other") != nil {
		t.Fatal("uncommitted files leaked into the catalog")
	}
	if err := catalog.Commit(dir, entry); err != nil {
		t.Fatal(err)
	}
	c, err = catalog.Load(os.DirFS(dir))
	if err != nil || c.Resource("demo_other") == nil {
		t.Fatalf("after commit the new schema loads: %v", err)
	}
	des, _ := os.ReadDir(filepath.Join(dir, "registry.terraform.io/example/demo/1.0.0"))
	if len(des) != 1 {
		t.Errorf("superseded files were not swept: %d files", len(des))
	}
}

func TestNormalizeSource(t *testing.T) {
	for in, want := range map[string]string{
		"azurerm":                        "registry.terraform.io/hashicorp/azurerm",
		"hashicorp/azurerm":              "registry.terraform.io/hashicorp/azurerm",
		"terraform.io/builtin/terraform": "terraform.io/builtin/terraform",
		" Registry.Terraform.io/A/B ":    "registry.terraform.io/a/b",
	} {
		if got := catalog.NormalizeSource(in); got != want {
			t.Errorf("NormalizeSource(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSeedCopiesTheEmbeddedCatalogOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "catalog")
	if err := catalog.Seed(dir, catalog.Embedded()); err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Providers()) != 6 {
		t.Errorf("seeded catalog has %d providers", len(c.Providers()))
	}
	// A second seed leaves an existing catalog alone.
	os.WriteFile(filepath.Join(dir, "marker"), []byte("x"), 0o644)
	idx := filepath.Join(dir, "index.json")
	os.WriteFile(idx, []byte(`{"format":1,"providers":[]}`), 0o644)
	if err := catalog.Seed(dir, catalog.Embedded()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(idx); string(b) != `{"format":1,"providers":[]}` {
		t.Error("Seed overwrote an existing catalog")
	}
}
