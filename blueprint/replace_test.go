package blueprint_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// replaceCatalog gives azurerm_kubernetes_cluster the forces_new rules its docs state for
// dns_prefix and default_node_pool.vm_size, the identity block one, and sku_tier a default.
func replaceCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	forcesNew := []catalog.Rule{{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."}}
	return testenv.CatalogWithRules(t, map[string]testenv.TypeRules{
		"azurerm_kubernetes_cluster": {
			"dns_prefix":                forcesNew,
			"default_node_pool.vm_size": forcesNew,
			"node_resource_group":       forcesNew,
			"identity":                  forcesNew,
			"private_cluster_enabled": append([]catalog.Rule{{Kind: catalog.RuleDefault, Default: "false", Sentence: "Defaults to `false`."}},
				forcesNew...),
		},
		"azurerm_resource_group": {"location": forcesNew},
		// A data source's rules never replace anything.
		"data.azurerm_resource_group": {"name": forcesNew},
	})
}

func aksBlueprint(attrs map[string]blueprint.Value, pool map[string]blueprint.Value, blocks ...blueprint.Block) *blueprint.Blueprint {
	body := blueprint.Body{}
	for _, n := range []string{"name", "location", "dns_prefix", "sku_tier", "node_resource_group", "private_cluster_enabled"} {
		if v, ok := attrs[n]; ok {
			body.Attributes = append(body.Attributes, blueprint.Attribute{Name: n, Value: v})
		}
	}
	np := blueprint.Body{}
	for _, n := range []string{"name", "vm_size", "node_count"} {
		if v, ok := pool[n]; ok {
			np.Attributes = append(np.Attributes, blueprint.Attribute{Name: n, Value: v})
		}
	}
	body.Blocks = append([]blueprint.Block{{Type: "default_node_pool", Body: np}}, blocks...)
	return &blueprint.Blueprint{
		Name: "aks",
		Data: []blueprint.Resource{{Mode: blueprint.DataMode, Type: "azurerm_resource_group", Name: "shared",
			Config: blueprint.Body{Attributes: []blueprint.Attribute{{Name: "name", Value: attrs["name"]}}}}},
		Resources: []blueprint.Resource{
			{Mode: blueprint.ManagedMode, Type: "azurerm_resource_group", Name: "main", Config: blueprint.Body{Attributes: []blueprint.Attribute{
				{Name: "name", Value: blueprint.String("rg")}, {Name: "location", Value: attrs["location"]},
			}}},
			{Mode: blueprint.ManagedMode, Type: "azurerm_kubernetes_cluster", Name: "aks", Config: body},
		},
	}
}

func TestReplacements(t *testing.T) {
	cat := replaceCatalog(t)
	base := map[string]blueprint.Value{
		"name": blueprint.String("aks"), "location": blueprint.String("westeurope"),
		"dns_prefix": blueprint.String("aks"), "sku_tier": blueprint.String("Free"),
	}
	pool := map[string]blueprint.Value{"name": blueprint.String("system"), "vm_size": blueprint.String("Standard_D2s_v5"), "node_count": blueprint.Int(1)}
	with := func(m map[string]blueprint.Value, k string, v blueprint.Value) map[string]blueprint.Value {
		out := map[string]blueprint.Value{}
		for kk, vv := range m {
			out[kk] = vv
		}
		if v.IsZero() {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	identity := func(typ string) blueprint.Block {
		return blueprint.Block{Type: "identity", Body: blueprint.Body{Attributes: []blueprint.Attribute{{Name: "type", Value: blueprint.String(typ)}}}}
	}
	tests := []struct {
		name string
		new  *blueprint.Blueprint
		want []string
	}{
		{"nothing changes", aksBlueprint(base, pool), nil},
		{"an argument without a rule changes", aksBlueprint(with(base, "sku_tier", blueprint.String("Standard")), with(pool, "node_count", blueprint.Int(3))), nil},
		{"dns_prefix changes", aksBlueprint(with(base, "dns_prefix", blueprint.String("aks2")), pool),
			[]string{"azurerm_kubernetes_cluster.aks will be replaced: dns_prefix changes"}},
		{"two arguments, one in a block", aksBlueprint(with(base, "dns_prefix", blueprint.String("aks2")), with(pool, "vm_size", blueprint.String("Standard_D4s_v5"))),
			[]string{"azurerm_kubernetes_cluster.aks will be replaced: default_node_pool[0].vm_size, dns_prefix change"}},
		{"location of both resources", aksBlueprint(with(base, "location", blueprint.String("northeurope")), pool),
			[]string{"azurerm_resource_group.main will be replaced: location changes"}},
		{"the same value written another way", aksBlueprint(with(base, "dns_prefix", blueprint.Expr(`"aks"`)), pool), nil},
		{"a reference instead of a literal", aksBlueprint(with(base, "dns_prefix", blueprint.Ref("var.prefix")), pool),
			[]string{"azurerm_kubernetes_cluster.aks may be replaced: dns_prefix changes"}},
		{"a reference and a literal change", aksBlueprint(with(base, "dns_prefix", blueprint.Ref("var.prefix")), with(pool, "vm_size", blueprint.String("Standard_D4s_v5"))),
			[]string{"azurerm_kubernetes_cluster.aks will be replaced: default_node_pool[0].vm_size, dns_prefix change"}},
		{"a computed argument left out keeps its value", aksBlueprint(with(base, "node_resource_group", blueprint.Value{}), pool), nil},
		{"a computed argument set", aksBlueprint(with(base, "node_resource_group", blueprint.String("MC_aks")), pool),
			[]string{"azurerm_kubernetes_cluster.aks may be replaced: node_resource_group changes"}},
		{"an argument set to its default", aksBlueprint(with(base, "private_cluster_enabled", blueprint.Bool(false)), pool), nil},
		{"an argument set away from its default", aksBlueprint(with(base, "private_cluster_enabled", blueprint.Bool(true)), pool),
			[]string{"azurerm_kubernetes_cluster.aks will be replaced: private_cluster_enabled changes"}},
		{"a forces-new block added", aksBlueprint(base, pool, identity("SystemAssigned")),
			[]string{"azurerm_kubernetes_cluster.aks will be replaced: identity changes"}},
		{"the data source's name changes", aksBlueprint(with(base, "name", blueprint.String("other")), pool), nil},
	}
	old := aksBlueprint(base, pool)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range blueprint.Replacements(old, tt.new, cat) {
				got = append(got, r.String())
				for _, c := range r.Changes {
					if c.Sentence != "Changing this forces a new resource to be created." {
						t.Errorf("%s: sentence %q", c.Path, c.Sentence)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Replacements (-want +got):\n%s", diff)
			}
		})
	}
	// A block changed inside, and the number of instances of a block.
	a := aksBlueprint(base, pool, identity("SystemAssigned"))
	b := aksBlueprint(base, pool, identity("UserAssigned"))
	if got := blueprint.Replacements(a, b, cat); len(got) != 1 || got[0].Changes[0].Path != "identity" || !got[0].Certain {
		t.Errorf("identity type changed: %v", got)
	}
	if got := blueprint.Replacements(a, a, cat); got != nil {
		t.Errorf("a blueprint compared with itself: %v", got)
	}
	if blueprint.Replacements(nil, old, cat) != nil || blueprint.Replacements(old, old, nil) != nil {
		t.Error("nil blueprints or catalog gave replacements")
	}
}
