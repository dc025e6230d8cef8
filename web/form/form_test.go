package form

import (
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// testCatalog is the embedded catalog, loaded once per test binary.
func testCatalog(t testing.TB) *catalog.Catalog { return testenv.Catalog(t) }

// encode is what a browser submits for a form built from f: every field's text and mode and
// every block's count.
func encode(f Body, v url.Values) url.Values {
	if v == nil {
		v = url.Values{}
	}
	for _, fl := range append(append(append([]Field(nil), f.Required...), f.Set...), f.Unset...) {
		v.Set(fl.Key, fl.Text)
		v.Set(fl.Key+":mode", string(fl.Mode))
	}
	for _, b := range f.Blocks {
		v.Set(b.CountKey(), itoa(len(b.Instances)))
		for _, in := range b.Instances {
			encode(in, v)
		}
	}
	return v
}

func itoa(i int) string { return strconv.Itoa(i) }

func aks(t *testing.T) *catalog.Type {
	t.Helper()
	typ := testCatalog(t).Resource("azurerm_kubernetes_cluster")
	if typ == nil {
		t.Fatal("the catalog has no azurerm_kubernetes_cluster")
	}
	return typ
}

func TestBuildLaysOutTheSchema(t *testing.T) {
	typ := aks(t)
	body := blueprint.Body{Attributes: []blueprint.Attribute{
		{Name: "location", Value: blueprint.Ref("azurerm_resource_group.main.location")},
		{Name: "sku_tier", Value: blueprint.String("Standard")},
		{Name: "tags", Value: blueprint.Map(map[string]blueprint.Value{"env": blueprint.String("dev")})},
	}, Blocks: Skeleton(typ.Schema.Block, nil).Blocks}
	f := Build(typ.Schema.Block, body, Options{Docs: func(p string) string { return "doc of " + p }})

	byKey := map[string]Field{}
	for _, fl := range f.Fields() {
		byKey[fl.Key] = fl
	}
	loc := byKey["location"]
	if !loc.Required || loc.Mode != RefMode || loc.Text != "azurerm_resource_group.main.location" || loc.Widget != TextWidget {
		t.Errorf("location = %+v", loc)
	}
	if loc.Description != "doc of location" {
		t.Errorf("location's description = %q", loc.Description)
	}
	if tags := byKey["tags"]; tags.Widget != ExprWidget || tags.Mode != ExprMode || tags.Text != "{\n  env = \"dev\"\n}" || tags.TypeLabel != "map(string)" {
		t.Errorf("tags = %+v", tags)
	}
	if _, ok := byKey["fqdn"]; ok {
		t.Error("computed-only fqdn is offered")
	}
	if _, ok := byKey["default_node_pool[0].vm_size"]; !ok {
		t.Error("default_node_pool[0].vm_size is missing")
	}
	if len(f.Blocks) == 0 || f.Blocks[0].Name != "default_node_pool" || f.Blocks[0].CanAdd() || f.Blocks[0].CanRemove() {
		t.Errorf("first block = %+v, want the required default_node_pool, full and not removable", f.Blocks[0])
	}
	for _, fl := range f.Set {
		if fl.Key != "sku_tier" && fl.Key != "tags" {
			t.Errorf("unexpected set field %s", fl.Key)
		}
	}
	var sensitive bool
	for _, fl := range f.Fields() {
		sensitive = sensitive || fl.Sensitive
	}
	ws := testCatalog(t).Resource("azurerm_linux_virtual_machine")
	for _, fl := range Build(ws.Schema.Block, blueprint.Body{}, Options{}).Fields() {
		if fl.Name == "admin_password" && !fl.Sensitive {
			t.Error("admin_password is not marked sensitive")
		}
	}
}

func TestParseRoundTripsWhatBuildShows(t *testing.T) {
	typ := aks(t)
	body := blueprint.Body{Attributes: []blueprint.Attribute{
		{Name: "name", Value: blueprint.String("aks")},
		{Name: "location", Value: blueprint.Ref("azurerm_resource_group.main.location")},
		{Name: "tags", Value: blueprint.Map(map[string]blueprint.Value{"env": blueprint.Ref("var.env")})},
		{Name: "dns_prefix", Value: blueprint.Expr(`"${var.prefix}-aks"`)},
		{Name: "private_cluster_enabled", Value: blueprint.Bool(true)},
	}, Blocks: []blueprint.Block{
		{Type: "default_node_pool", Body: blueprint.Body{Attributes: []blueprint.Attribute{
			{Name: "name", Value: blueprint.String("system")},
			{Name: "node_count", Value: blueprint.Int(3)},
			{Name: "vm_size", Value: blueprint.String("Standard_D4s_v5")},
		}}},
		{Type: "identity", Body: blueprint.Body{Attributes: []blueprint.Attribute{{Name: "type", Value: blueprint.String("SystemAssigned")}}}},
	}}
	f := Build(typ.Schema.Block, body, Options{})
	got := Parse(typ.Schema.Block, body, encode(f, nil), ParseOptions{})
	if !reflect.DeepEqual(dump(t, got), dump(t, body)) {
		t.Errorf("round trip changed the body:\n got %s\nwant %s", dump(t, got), dump(t, body))
	}
}

func dump(t *testing.T, b blueprint.Body) string {
	t.Helper()
	doc, err := (&blueprint.Blueprint{Name: "x", Resources: []blueprint.Resource{{Mode: blueprint.ManagedMode, Type: "t", Name: "n", Config: b}}}).MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	return string(doc)
}

func TestParseReadsEdits(t *testing.T) {
	typ := aks(t)
	body := blueprint.Body{Blocks: Skeleton(typ.Schema.Block, nil).Blocks}
	f := Build(typ.Schema.Block, body, Options{})
	v := encode(f, nil)
	v.Set("name", "aks")
	v.Set("default_node_pool[0].node_count", "3")
	v.Set("default_node_pool[0].max_count", "many")
	v.Set("location", "azurerm_resource_group.main.location")
	v.Set("location:mode", "ref")
	v.Set("tags", `{ env = var.env }`)
	v.Set("kubernetes_version", "")
	got := Parse(typ.Schema.Block, body, v, ParseOptions{})

	if a := got.Attribute("name"); a == nil || a.Literal != cty.StringVal("aks") {
		t.Errorf("name = %+v", a)
	}
	if a := got.Attribute("location"); a == nil || a.Kind != blueprint.ReferenceKind {
		t.Errorf("location = %+v", a)
	}
	if a := got.Attribute("tags"); a == nil || a.Kind != blueprint.ExpressionKind || a.Expr != "{ env = var.env }" {
		t.Errorf("tags = %+v", a)
	}
	if a := got.Attribute("kubernetes_version"); a != nil {
		t.Errorf("an empty field set kubernetes_version = %+v", a)
	}
	pool := got.BlocksOf("default_node_pool")
	if len(pool) != 1 {
		t.Fatalf("%d default_node_pool blocks", len(pool))
	}
	if a := pool[0].Body.Attribute("node_count"); a == nil || !a.Literal.RawEquals(cty.NumberIntVal(3)) {
		t.Errorf("node_count = %+v", a)
	}
	// Not a number: kept as typed, for validation to report next to the field.
	if a := pool[0].Body.Attribute("max_count"); a == nil || a.Literal != cty.StringVal("many") {
		t.Errorf("max_count = %+v", a)
	}
}

func TestParseKeepsWhatTheFormDidNotSubmit(t *testing.T) {
	typ := aks(t)
	body := blueprint.Body{Attributes: []blueprint.Attribute{
		{Name: "name", Value: blueprint.String("aks")},
		{Name: "not_in_schema", Value: blueprint.String("kept")},
	}, Blocks: []blueprint.Block{{Type: "default_node_pool"}, {Type: "legacy_block"}}}
	got := Parse(typ.Schema.Block, body, url.Values{"sku_tier": {"Free"}}, ParseOptions{})
	if got.Attribute("name") == nil || got.Attribute("not_in_schema") == nil || got.Attribute("sku_tier") == nil {
		t.Errorf("attributes = %+v", got.Attributes)
	}
	if len(got.Blocks) != 2 {
		t.Errorf("blocks = %+v", got.Blocks)
	}
	f := Build(typ.Schema.Block, body, Options{})
	if !reflect.DeepEqual(f.Kept, []string{"not_in_schema", "legacy_block block"}) {
		t.Errorf("Kept = %q", f.Kept)
	}
}

func TestAddAndRemoveBlocks(t *testing.T) {
	typ := aks(t)
	body := Skeleton(typ.Schema.Block, nil)
	if _, err := AddBlock(typ.Schema.Block, body, "default_node_pool", ParseOptions{}); err == nil {
		t.Error("a second default_node_pool was added")
	}
	body, err := AddBlock(typ.Schema.Block, body, "default_node_pool[0].upgrade_settings", ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(body.BlocksOf("default_node_pool")[0].Body.BlocksOf("upgrade_settings")); n != 1 {
		t.Fatalf("%d upgrade_settings blocks", n)
	}
	body, err = AddBlock(typ.Schema.Block, body, "identity", ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body, err = RemoveBlock(typ.Schema.Block, body, "default_node_pool[0].upgrade_settings[0]")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(body.BlocksOf("default_node_pool")[0].Body.BlocksOf("upgrade_settings")); n != 0 {
		t.Errorf("%d upgrade_settings blocks after removing it", n)
	}
	for _, bad := range []string{"nope", "default_node_pool[5].x", "identity[x]", "identity[3]"} {
		if _, err := RemoveBlock(typ.Schema.Block, body, bad); err == nil {
			t.Errorf("RemoveBlock(%q) gave no error", bad)
		}
	}
}

func TestFieldFor(t *testing.T) {
	keys := map[string]bool{"tags": true, "default_node_pool": true, "default_node_pool[0]": true, "default_node_pool[0].vm_size": true}
	for path, want := range map[string]string{
		`tags["env"]`:                  "tags",
		"default_node_pool[0].vm_size": "default_node_pool[0].vm_size",
		"default_node_pool[0].zones":   "default_node_pool[0]",
		"default_node_pool":            "default_node_pool",
		"identity":                     "",
	} {
		if got := FieldFor(keys, path); got != want {
			t.Errorf("FieldFor(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestMultiLineStringsAreExpressions(t *testing.T) {
	typ := aks(t)
	body := blueprint.Body{Attributes: []blueprint.Attribute{{Name: "name", Value: blueprint.String("line one\nline two")}}}
	f := Build(typ.Schema.Block, body, Options{})
	var name Field
	for _, fl := range f.Fields() {
		if fl.Key == "name" {
			name = fl
		}
	}
	if name.Mode != ExprMode {
		t.Fatalf("a two-line string shows in %s mode, where a text input would drop the line break", name.Mode)
	}
	got := Parse(typ.Schema.Block, body, encode(f, nil), ParseOptions{})
	if a := got.Attribute("name"); a == nil || a.Literal != cty.StringVal("line one\nline two") {
		t.Errorf("round trip gave %+v", a)
	}
}
