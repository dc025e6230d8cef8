package blueprint_test

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
)

func TestReferenceCandidates(t *testing.T) {
	cat := testCatalog(t)
	b := readBlueprint(t, "testdata/generate/aks.blueprint.json")
	tests := []struct {
		from, arg string
		ty        cty.Type
		first     string
		absent    []string
	}{
		{"azurerm_kubernetes_cluster.aks", "resource_group_name", cty.String, "azurerm_resource_group.main.name", nil},
		{"azurerm_kubernetes_cluster.aks", "location", cty.String, "var.location", nil},
		{"azurerm_kubernetes_cluster.aks", "default_node_pool.vnet_subnet_id", cty.String, "azurerm_subnet.aks.id", nil},
		{"azurerm_key_vault.main", "tenant_id", cty.String, "data.azurerm_client_config.current.tenant_id", nil},
		// The cluster depends on the resource group: offering its attributes would make a cycle.
		{"azurerm_resource_group.main", "name", cty.String, "", []string{"azurerm_kubernetes_cluster.aks.name", "azurerm_subnet.aks.name"}},
		{"azurerm_virtual_network.main", "address_space", cty.List(cty.String), "", []string{"var.tags"}},
		// A number converts to a string, but a name made of a node count is a mistake.
		{"azurerm_kubernetes_cluster.aks", "dns_prefix", cty.String, "", []string{"var.node_count"}},
		{"azurerm_kubernetes_cluster.aks", "default_node_pool.node_count", cty.Number, "var.node_count", []string{"var.location"}},
	}
	for _, tt := range tests {
		got := blueprint.ReferenceCandidates(b, cat, tt.from, tt.arg, tt.ty)
		refs := map[string]bool{}
		for _, c := range got {
			refs[c.Ref] = true
		}
		if tt.first != "" && (len(got) == 0 || got[0].Ref != tt.first) {
			top := []blueprint.Candidate{}
			if len(got) > 3 {
				top = got[:3]
			} else {
				top = got
			}
			t.Errorf("%s %s: first candidate %v, want %s", tt.from, tt.arg, top, tt.first)
		}
		for _, a := range tt.absent {
			if refs[a] {
				t.Errorf("%s %s: %s must not be offered", tt.from, tt.arg, a)
			}
		}
		if refs[tt.from+"."+tt.arg] {
			t.Errorf("%s offers itself", tt.from)
		}
	}
}
