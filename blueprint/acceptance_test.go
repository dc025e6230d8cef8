package blueprint_test

import (
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
)

// The AKS platform blueprint (resource group, VNet, AKS with default_node_pool and identity,
// Key Vault) validates against the real azurerm 5.2.0 schema, and each deliberate mistake
// gets its own clear error at its own path.
func TestAKSBlueprintAgainstAzurerm(t *testing.T) {
	cat := testCatalog(t)
	if p := cat.Provider("hashicorp/azurerm"); p == nil || p.Version != "5.2.0" {
		t.Fatalf("catalog must hold azurerm 5.2.0, has %+v", p)
	}
	const aks = "resources[azurerm_kubernetes_cluster.aks]"
	base := func() *blueprint.Blueprint { return readBlueprint(t, "testdata/generate/aks.blueprint.json") }
	cluster := func(b *blueprint.Blueprint) *blueprint.Resource {
		for i := range b.Resources {
			if b.Resources[i].Type == "azurerm_kubernetes_cluster" {
				return &b.Resources[i]
			}
		}
		t.Fatal("no cluster in the fixture")
		return nil
	}
	setAttr := func(body *blueprint.Body, name string, v blueprint.Value) {
		for i := range body.Attributes {
			if body.Attributes[i].Name == name {
				body.Attributes[i].Value = v
				return
			}
		}
		body.Attributes = append(body.Attributes, blueprint.Attribute{Name: name, Value: v})
	}

	if diags := blueprint.Validate(base(), cat); len(diags) != 0 {
		t.Fatalf("the correct blueprint must validate cleanly, got:\n%s", diags.Error())
	}

	tests := []struct {
		name    string
		mutate  func(b *blueprint.Blueprint)
		path    string
		summary string
		detail  string // a piece of the fix the user is told
	}{
		{
			name: "misspelt attribute",
			mutate: func(b *blueprint.Blueprint) {
				c := cluster(b)
				c.Config.Attributes[1].Name = "locaton"
			},
			path: aks + ".locaton", summary: `unsupported argument "locaton"`, detail: `Did you mean "location"?`,
		},
		{
			name: "missing default_node_pool",
			mutate: func(b *blueprint.Blueprint) {
				c := cluster(b)
				var kept []blueprint.Block
				for _, blk := range c.Config.Blocks {
					if blk.Type != "default_node_pool" {
						kept = append(kept, blk)
					}
				}
				c.Config.Blocks = kept
			},
			path: aks + ".default_node_pool", summary: `missing required block "default_node_pool"`, detail: "add a default_node_pool block",
		},
		{
			// A number where a string is needed is valid (Terraform converts it); a list is not.
			name: "list where a string is needed",
			mutate: func(b *blueprint.Blueprint) {
				setAttr(&cluster(b).Config, "location", blueprint.List(blueprint.String("westeurope")))
			},
			path: aks + ".location", summary: "expected a string, got a list", detail: "give one value",
		},
		{
			name:   "computed-only attribute set",
			mutate: func(b *blueprint.Blueprint) { setAttr(&cluster(b).Config, "fqdn", blueprint.String("aks.example.com")) },
			path:   aks + ".fqdn", summary: `"fqdn" is computed by the provider and cannot be set`, detail: "remove it",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := base()
			tt.mutate(b)
			diags := blueprint.Validate(b, cat)
			if len(diags) != 1 {
				t.Fatalf("want exactly one diagnostic for one mistake, got %d:\n%s", len(diags), diags.Error())
			}
			d := diags[0]
			if d.Severity != blueprint.Error || d.Path != tt.path || d.Summary != tt.summary || !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("got %s\nwant error: %s: %s (detail containing %q)", d, tt.path, tt.summary, tt.detail)
			}
		})
	}
}
