package blueprint_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
)

// resourcesBlueprint has two data sources and two resources, one of each sharing a type and
// name so that only the data. prefix tells them apart.
func resourcesBlueprint() *blueprint.Blueprint {
	return &blueprint.Blueprint{
		Data: []blueprint.Resource{
			{Mode: blueprint.DataMode, Type: "azurerm_client_config", Name: "current"},
			{Mode: blueprint.DataMode, Type: "azurerm_resource_group", Name: "main"},
		},
		Resources: []blueprint.Resource{
			{Mode: blueprint.ManagedMode, Type: "azurerm_resource_group", Name: "main"},
			{Mode: blueprint.ManagedMode, Type: "azurerm_key_vault", Name: "kv"},
		},
	}
}

func addresses(b *blueprint.Blueprint) []string {
	var out []string
	for r := range b.AllResources() {
		out = append(out, r.Address())
	}
	return out
}

func TestAllResourcesYieldsDataSourcesFirst(t *testing.T) {
	b := resourcesBlueprint()
	want := []string{
		"data.azurerm_client_config.current", "data.azurerm_resource_group.main",
		"azurerm_resource_group.main", "azurerm_key_vault.kv",
	}
	if diff := cmp.Diff(want, addresses(b)); diff != "" {
		t.Errorf("AllResources (-want +got):\n%s", diff)
	}

	// The pointers are into the blueprint.
	for r := range b.AllResources() {
		r.Provider = "azurerm.west"
	}
	if b.Data[0].Provider != "azurerm.west" || b.Resources[1].Provider != "azurerm.west" {
		t.Error("a change through AllResources did not reach the blueprint")
	}

	// Breaking out of the loop stops the iterator.
	n := 0
	for range b.AllResources() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("the loop ran %d times after a break at 3", n)
	}

	if got := addresses(&blueprint.Blueprint{}); len(got) != 0 {
		t.Errorf("an empty blueprint yields %q", got)
	}
}

func TestResourceByAddress(t *testing.T) {
	b := resourcesBlueprint()
	for _, tc := range []struct {
		addr string
		want *blueprint.Resource // nil: not found
	}{
		{"azurerm_resource_group.main", &b.Resources[0]},
		{"data.azurerm_resource_group.main", &b.Data[1]},
		{"data.azurerm_client_config.current", &b.Data[0]},
		{"azurerm_key_vault.kv", &b.Resources[1]},
		{"azurerm_client_config.current", nil}, // a data source needs its data. prefix
		{"data.azurerm_key_vault.kv", nil},     // and a resource has none
		{"azurerm_key_vault", nil},
		{"azurerm_key_vault.k", nil},
		{"azurerm_key_vault.kvv", nil},
		{"azurerm_key_vault_kv", nil},
		{"azurerm_key_vault.kv.id", nil},
		{"data.", nil},
		{"", nil},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			if got := b.Resource(tc.addr); got != tc.want {
				t.Errorf("Resource(%q) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}

func TestAddAndRemoveResource(t *testing.T) {
	b := resourcesBlueprint()
	b.AddResource(blueprint.Resource{Mode: blueprint.DataMode, Type: "azurerm_subscription", Name: "current"})
	b.AddResource(blueprint.Resource{Mode: blueprint.ManagedMode, Type: "azurerm_key_vault", Name: "kv2"})
	if len(b.Data) != 3 || len(b.Resources) != 3 {
		t.Fatalf("after adding one of each: %d data sources, %d resources", len(b.Data), len(b.Resources))
	}
	if !b.RemoveResource("azurerm_resource_group.main") {
		t.Error("RemoveResource found no azurerm_resource_group.main")
	}
	if b.RemoveResource("azurerm_resource_group.main") {
		t.Error("RemoveResource removed azurerm_resource_group.main twice")
	}
	if !b.RemoveResource("data.azurerm_client_config.current") {
		t.Error("RemoveResource found no data.azurerm_client_config.current")
	}
	want := []string{
		"data.azurerm_resource_group.main", "data.azurerm_subscription.current",
		"azurerm_key_vault.kv", "azurerm_key_vault.kv2",
	}
	if diff := cmp.Diff(want, addresses(b)); diff != "" {
		t.Errorf("after removing (-want +got):\n%s", diff)
	}
}
