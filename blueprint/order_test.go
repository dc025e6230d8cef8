package blueprint

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// names is a body's argument names, in order.
func names(b Body) []string {
	var out []string
	for _, a := range b.Attributes {
		out = append(out, a.Name)
	}
	return out
}

func bodyOf(names ...string) Body {
	var b Body
	for _, n := range names {
		b.Attributes = append(b.Attributes, Attribute{Name: n, Value: String(n)})
	}
	return b
}

// alphaRank ranks the names of an azurerm_resource_group-like schema as SchemaOrder does
// with its example: name and location are required, the example writes name first.
var alphaRank = SchemaOrder([]string{"location", "managed_by", "name", "tags"},
	func(n string) bool { return n == "name" || n == "location" }, func() []string { return []string{"name", "location", "tags"} })

func TestSetAttributePlacesByPriorThenSchema(t *testing.T) {
	tests := []struct {
		name    string
		body    []string
		prior   []string
		set     string
		want    []string
		unrated bool // no schema order
	}{
		{name: "a new argument goes by schema order", body: []string{"name", "tags"}, set: "location", want: []string{"name", "location", "tags"}},
		{name: "the example's order before the rest", body: []string{"location"}, set: "name", want: []string{"name", "location"}},
		{name: "an optional argument the example lacks after those it writes", body: []string{"name", "location", "tags"}, set: "managed_by", want: []string{"name", "location", "tags", "managed_by"}},
		{name: "set again where the version had it", body: []string{"tags", "location"}, prior: []string{"tags", "name", "location"}, set: "name", want: []string{"tags", "name", "location"}},
		{name: "set again with its predecessor gone", body: []string{"location"}, prior: []string{"tags", "name", "location"}, set: "name", want: []string{"name", "location"}},
		{name: "a new first argument before an imported order", body: []string{"tags", "location"}, prior: []string{"tags", "location"}, set: "name", want: []string{"name", "tags", "location"}},
		{name: "a new argument after the last the schema orders before it", body: []string{"tags", "location"}, prior: []string{"tags", "location"}, set: "managed_by", want: []string{"tags", "location", "managed_by"}},
		{name: "no schema order and no prior appends", body: []string{"b", "a"}, set: "c", want: []string{"b", "a", "c"}, unrated: true},
		{name: "no schema order keeps the prior's place", body: []string{"z", "a"}, prior: []string{"z", "m", "a"}, set: "m", want: []string{"z", "m", "a"}, unrated: true},
		{name: "an argument the body holds keeps its place", body: []string{"tags", "name"}, set: "tags", want: []string{"tags", "name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Placement{Prior: func() Body { return bodyOf(tt.prior...) }, Rank: alphaRank}
			if tt.unrated {
				p.Rank = nil
			}
			b := bodyOf(tt.body...)
			b.SetAttribute(tt.set, String("new"), p)
			if diff := cmp.Diff(tt.want, names(b)); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
			if v := b.Attribute(tt.set); v == nil || v.Literal.AsString() != "new" {
				t.Errorf("%s = %v, want \"new\"", tt.set, v)
			}
		})
	}
}

// TestClearAndSetAgainIsHistoryFree clears every subset of a body's arguments and sets them
// again in every order: the body comes back as it was, whether its order is the schema's or
// an author's.
func TestClearAndSetAgainIsHistoryFree(t *testing.T) {
	for _, start := range [][]string{
		{"name", "location", "tags"},               // schema order
		{"tags", "managed_by", "location", "name"}, // an imported author's order
	} {
		t.Run(strings.Join(start, ","), func(t *testing.T) {
			prior := bodyOf(start...)
			for mask := 1; mask < 1<<len(start); mask++ {
				var cleared []string
				for i, n := range start {
					if mask&(1<<i) != 0 {
						cleared = append(cleared, n)
					}
				}
				for _, order := range permutations(cleared) {
					b := bodyOf(start...)
					p := Placement{Prior: func() Body { return prior }, Rank: alphaRank}
					for _, n := range cleared {
						b.SetAttribute(n, Value{}, p)
					}
					for _, n := range order {
						b.SetAttribute(n, String(n), p)
					}
					if diff := cmp.Diff(start, names(b)); diff != "" {
						t.Fatalf("cleared %v, set again as %v (-want +got):\n%s", cleared, order, diff)
					}
				}
			}
		})
	}
}

// TestNewArgumentsAnyOrder sets new arguments in every order: one result.
func TestNewArgumentsAnyOrder(t *testing.T) {
	want := []string{"name", "location", "tags", "managed_by"}
	for _, order := range permutations(want) {
		var b Body
		for _, n := range order {
			b.SetAttribute(n, String(n), Placement{Rank: alphaRank})
		}
		if diff := cmp.Diff(want, names(b)); diff != "" {
			t.Errorf("set as %v (-want +got):\n%s", order, diff)
		}
	}
}

func permutations(s []string) [][]string {
	if len(s) <= 1 {
		return [][]string{slices.Clone(s)}
	}
	var out [][]string
	for i := range s {
		rest := append(slices.Clone(s[:i]), s[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]string{s[i]}, p...))
		}
	}
	return out
}

func TestSetBlocksPlacesATypeAgain(t *testing.T) {
	blocks := func(types ...string) []Block {
		var out []Block
		for _, t := range types {
			out = append(out, Block{Type: t})
		}
		return out
	}
	rank := SchemaOrder([]string{"default_node_pool", "identity", "network_profile"},
		func(n string) bool { return n == "default_node_pool" }, nil)
	tests := []struct {
		name        string
		body, prior []string
		set         string
		n           int
		want        []string
	}{
		{name: "a removed type comes back where the version had it", body: []string{"identity", "default_node_pool"}, prior: []string{"identity", "network_profile", "default_node_pool"}, set: "network_profile", n: 1, want: []string{"identity", "network_profile", "default_node_pool"}},
		{name: "a new type goes by schema order", body: []string{"default_node_pool", "network_profile"}, set: "identity", n: 1, want: []string{"default_node_pool", "identity", "network_profile"}},
		{name: "instances replace the type's in place", body: []string{"default_node_pool", "identity"}, set: "default_node_pool", n: 2, want: []string{"default_node_pool", "default_node_pool", "identity"}},
		{name: "no instances removes the type", body: []string{"default_node_pool", "identity"}, set: "identity", n: 0, want: []string{"default_node_pool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Body{Blocks: blocks(tt.body...)}
			b.SetBlocks(tt.set, blocks(slices.Repeat([]string{tt.set}, tt.n)...), Placement{Prior: func() Body { return Body{Blocks: blocks(tt.prior...)} }, Rank: rank})
			var got []string
			for _, blk := range b.Blocks {
				got = append(got, blk.Type)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("block order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExampleOrder(t *testing.T) {
	examples := []string{
		`resource "azurerm_resource_group" "example" {`, // does not parse: skipped
		`provider "azurerm" {
  features {}
}

resource "azurerm_kubernetes_cluster" "example" {
  name                = "example-aks1"
  location            = azurerm_resource_group.example.location
  resource_group_name = azurerm_resource_group.example.name
  dns_prefix          = "exampleaks1"

  default_node_pool {
    name       = "default"
    vm_size    = "Standard_D2_v2"
  }

  identity {
    type = "SystemAssigned"
  }

  tags = {
    Environment = "Production"
  }
}`,
	}
	got := ExampleOrder(examples, "resource", "azurerm_kubernetes_cluster")
	want := []string{"name", "location", "resource_group_name", "dns_prefix", "default_node_pool",
		"default_node_pool.name", "default_node_pool.vm_size", "identity", "identity.type", "tags"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExampleOrder (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"name", "vm_size"}, ExampleNames(got, "default_node_pool")); diff != "" {
		t.Errorf("ExampleNames(default_node_pool) (-want +got):\n%s", diff)
	}
	if got := ExampleOrder(examples, "data", "azurerm_kubernetes_cluster"); got != nil {
		t.Errorf("ExampleOrder of a data source no example writes = %v, want nil", got)
	}
	if got := ExampleOrder([]string{strings.Repeat("[", 100000)}, "resource", "x"); got != nil {
		t.Errorf("ExampleOrder of an oversized example = %v, want nil", got)
	}
}

// TestImportKeepsTheAuthorsOrder: an imported body keeps the order its file wrote, whatever
// the schema's; setting one of its arguments again with the imported body as the prior
// puts it back there.
func TestImportKeepsTheAuthorsOrder(t *testing.T) {
	src := `resource "azurerm_resource_group" "main" {
  tags     = { team = "payments" }
  location = "westeurope"
  name     = "rg"
}
`
	b, diags := Import(map[string][]byte{"main.tf": []byte(src)})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want := []string{"tags", "location", "name"}
	r := b.Resource("azurerm_resource_group.main")
	if diff := cmp.Diff(want, names(r.Config)); diff != "" {
		t.Fatalf("imported order (-want +got):\n%s", diff)
	}
	prior := r.Config
	v := *r.Config.Attribute("location")
	r.Config.SetAttribute("location", Value{}, Placement{})
	r.Config.SetAttribute("location", v, Placement{Prior: func() Body { return prior }, Rank: alphaRank})
	if diff := cmp.Diff(want, names(r.Config)); diff != "" {
		t.Errorf("order after clearing location and setting it again (-want +got):\n%s", diff)
	}
}
