package catalog_test

import (
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
)

// TestSearchAliases: what platform engineers type finds the type they mean among the first
// three results (resource and data source of one type count as two).
func TestSearchAliases(t *testing.T) {
	c := embedded(t)
	tests := []struct {
		query string
		want  string
	}{
		// The list.
		{"aks", "azurerm_kubernetes_cluster"},
		{"vnet", "azurerm_virtual_network"},
		{"nsg", "azurerm_network_security_group"},
		{"kv", "azurerm_key_vault"},
		{"pip", "azurerm_public_ip"},
		{"appgw", "azurerm_application_gateway"},
		// Others people type.
		{"AKS", "azurerm_kubernetes_cluster"},
		{"rg", "azurerm_resource_group"},
		{"law", "azurerm_log_analytics_workspace"},
		{"acr", "azurerm_container_registry"},
		{"apim", "azurerm_api_management"},
		{"sa", "azurerm_storage_account"},
		{"storage", "azurerm_storage_account"},
		{"pe", "azurerm_private_endpoint"},
		{"nic", "azurerm_network_interface"},
		{"vm", "azurerm_linux_virtual_machine"},
		{"vmss", "azurerm_linux_virtual_machine_scale_set"},
		{"lb", "azurerm_lb"},
		{"agw", "azurerm_application_gateway"},
		{"fw", "azurerm_firewall"},
		{"udr", "azurerm_route_table"},
		{"route table", "azurerm_route_table"},
		{"dns", "azurerm_dns_zone"},
		{"sql", "azurerm_mssql_server"},
		{"cosmos", "azurerm_cosmosdb_account"},
		{"aad", "azuread_application"},
		{"entra", "azuread_application"},
		{"k8s", "azurerm_kubernetes_cluster"},
		{"ns", "kubernetes_namespace_v1"},
		{"snet", "azurerm_subnet"},
		{"uami", "azurerm_user_assigned_identity"},
		{"psql", "azurerm_postgresql_flexible_server"},
		{"bastion", "azurerm_bastion_host"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := c.Search(tt.query, "", 3)
			var names []string
			for _, m := range got {
				if m.Type.Name == tt.want && m.Type.Kind == catalog.KindResource {
					return
				}
				names = append(names, m.Type.Name+" ("+string(m.Type.Kind)+")")
			}
			t.Errorf("Search(%q) top 3 = %v, want resource %s among them", tt.query, names, tt.want)
		})
	}
}

// TestSearchAliasCombinesWithWords: an alias narrows like any word, and types that extend
// its target (node pools of a cluster) match it.
func TestSearchAliasCombinesWithWords(t *testing.T) {
	c := embedded(t)
	got := c.Search("aks node pool", catalog.KindResource, 1)
	if len(got) == 0 || got[0].Type.Name != "azurerm_kubernetes_cluster_node_pool" {
		t.Errorf(`Search("aks node pool") = %v, want azurerm_kubernetes_cluster_node_pool first`, got)
	}
	for _, m := range c.Search("k8s", "", 0) {
		if m.Type.Provider.Name != "kubernetes" && !strings.HasPrefix(m.Type.Name, "azurerm_kubernetes_cluster") {
			t.Errorf("k8s matched %s", m.Type.Name)
		}
	}
}

// TestSearchInitials: a term that spells the initials of a type's words finds it even
// without an alias.
func TestSearchInitials(t *testing.T) {
	c := embedded(t)
	// "vnp" is in no alias: virtual_network_peering's initials.
	if catalog.Aliases("vnp") != nil {
		t.Fatal("vnp became an alias; pick another term for this test")
	}
	got := c.Search("vnp", catalog.KindResource, 5)
	for _, m := range got {
		if m.Type.Name == "azurerm_virtual_network_peering" {
			return
		}
	}
	t.Errorf(`Search("vnp") = %v, want azurerm_virtual_network_peering among the first 5`, got)
}
