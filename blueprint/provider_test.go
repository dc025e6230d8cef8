package blueprint_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
)

func TestNewProviderConfigAddsTheBlocksAProviderNeeds(t *testing.T) {
	features := blueprint.Block{Type: "features"}
	subscription := blueprint.Attribute{Name: "subscription_id", Value: blueprint.Ref("var.subscription_id")}
	other := blueprint.Block{Type: "client_certificate"}
	for _, tc := range []struct {
		name, local, source string
		config, want        blueprint.Body
	}{
		{"azurerm gets features", "azurerm", "hashicorp/azurerm", blueprint.Body{}, blueprint.Body{Blocks: []blueprint.Block{features}}},
		{"a normalized source too", "azurerm", "registry.terraform.io/hashicorp/azurerm", blueprint.Body{}, blueprint.Body{Blocks: []blueprint.Block{features}}},
		{"by source, whatever the local name", "az", "hashicorp/azurerm", blueprint.Body{}, blueprint.Body{Blocks: []blueprint.Block{features}}},
		{"after what the config has", "azurerm", "hashicorp/azurerm",
			blueprint.Body{Attributes: []blueprint.Attribute{subscription}, Blocks: []blueprint.Block{other}},
			blueprint.Body{Attributes: []blueprint.Attribute{subscription}, Blocks: []blueprint.Block{other, features}}},
		{"never twice", "azurerm", "hashicorp/azurerm", blueprint.Body{Blocks: []blueprint.Block{features}}, blueprint.Body{Blocks: []blueprint.Block{features}}},
		{"other providers as given", "helm", "hashicorp/helm", blueprint.Body{Attributes: []blueprint.Attribute{subscription}}, blueprint.Body{Attributes: []blueprint.Attribute{subscription}}},
		{"another azurerm is another provider", "azurerm", "example/azurerm", blueprint.Body{}, blueprint.Body{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pc := blueprint.NewProviderConfig(tc.local, tc.source, tc.config)
			if pc.Name != tc.local || pc.Alias != "" {
				t.Errorf("name %q alias %q, want %q and none", pc.Name, pc.Alias, tc.local)
			}
			if diff := cmp.Diff(shape(tc.want), shape(pc.Config)); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// Validation asks for exactly the blocks NewProviderConfig adds.
func TestNewProviderConfigValidates(t *testing.T) {
	b := &blueprint.Blueprint{
		Name:              "p",
		RequiredProviders: []blueprint.RequiredProvider{{Name: "azurerm", Source: "hashicorp/azurerm", Version: "~> 4.0"}},
		Providers:         []blueprint.ProviderConfig{{Name: "azurerm"}},
	}
	if !hasSummary(blueprint.Validate(b, testCatalog(t)), "the azurerm provider needs a features block") {
		t.Fatal("an azurerm configuration without features validates")
	}
	b.Providers[0] = blueprint.NewProviderConfig("azurerm", "hashicorp/azurerm", blueprint.Body{})
	if d := blueprint.Validate(b, testCatalog(t)); hasSummary(d, "the azurerm provider needs a features block") {
		t.Errorf("NewProviderConfig's azurerm configuration still lacks features: %v", d)
	}
}

// shape lists a body's attribute names and block types, in order.
func shape(b blueprint.Body) []string {
	var out []string
	for _, a := range b.Attributes {
		out = append(out, a.Name+" =")
	}
	for _, blk := range b.Blocks {
		out = append(out, blk.Type+" {}")
	}
	return out
}

func hasSummary(d blueprint.Diagnostics, summary string) bool {
	for _, x := range d {
		if x.Summary == summary {
			return true
		}
	}
	return false
}
