package blueprint_test

import (
	"fmt"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
)

// bigBlueprint is n azurerm resources in chains of four (resource group → VNet → subnet →
// network interface), every one referring to the one before, with variables and outputs:
// the shape of a large platform repository.
func bigBlueprint(n int) *blueprint.Blueprint {
	b := &blueprint.Blueprint{
		Name:              "big",
		RequiredVersion:   ">= 1.5.0",
		RequiredProviders: []blueprint.RequiredProvider{{Name: "azurerm", Source: "hashicorp/azurerm", Version: "~> 5.2"}},
		Providers:         []blueprint.ProviderConfig{{Name: "azurerm", Config: blueprint.Body{Blocks: []blueprint.Block{{Type: "features"}}}}},
		Variables: []blueprint.Variable{
			{Name: "location", Type: "string", Default: ptr(blueprint.String("westeurope"))},
			{Name: "tags", Type: "map(string)", Default: ptr(blueprint.Map(map[string]blueprint.Value{"team": blueprint.String("platform")}))},
		},
	}
	attr := func(name string, v blueprint.Value) blueprint.Attribute {
		return blueprint.Attribute{Name: name, Value: v}
	}
	for i := 0; len(b.Resources) < n; i++ {
		rg, vnet, snet := fmt.Sprintf("rg%d", i), fmt.Sprintf("vnet%d", i), fmt.Sprintf("snet%d", i)
		b.Resources = append(b.Resources,
			blueprint.Resource{Mode: blueprint.ManagedMode, Type: "azurerm_resource_group", Name: rg, Config: blueprint.Body{Attributes: []blueprint.Attribute{
				attr("name", blueprint.Expr(fmt.Sprintf(`"rg-${var.location}-%d"`, i))), attr("location", blueprint.Ref("var.location")), attr("tags", blueprint.Ref("var.tags")),
			}}},
			blueprint.Resource{Mode: blueprint.ManagedMode, Type: "azurerm_virtual_network", Name: vnet, Config: blueprint.Body{Attributes: []blueprint.Attribute{
				attr("name", blueprint.String(vnet)), attr("location", blueprint.Ref("azurerm_resource_group."+rg+".location")),
				attr("resource_group_name", blueprint.Ref("azurerm_resource_group."+rg+".name")), attr("address_space", blueprint.List(blueprint.String("10.0.0.0/16"))),
			}}},
			blueprint.Resource{Mode: blueprint.ManagedMode, Type: "azurerm_subnet", Name: snet, Config: blueprint.Body{Attributes: []blueprint.Attribute{
				attr("name", blueprint.String(snet)), attr("resource_group_name", blueprint.Ref("azurerm_resource_group."+rg+".name")),
				attr("virtual_network_name", blueprint.Ref("azurerm_virtual_network."+vnet+".name")),
				attr("address_prefixes", blueprint.Expr("[cidrsubnet(azurerm_virtual_network."+vnet+".address_space[0], 8, 1)]")),
			}}},
			blueprint.Resource{Mode: blueprint.ManagedMode, Type: "azurerm_network_interface", Name: fmt.Sprintf("nic%d", i), Config: blueprint.Body{
				Attributes: []blueprint.Attribute{attr("name", blueprint.String(fmt.Sprintf("nic%d", i))), attr("location", blueprint.Ref("azurerm_resource_group."+rg+".location")),
					attr("resource_group_name", blueprint.Ref("azurerm_resource_group."+rg+".name"))},
				Blocks: []blueprint.Block{{Type: "ip_configuration", Body: blueprint.Body{Attributes: []blueprint.Attribute{
					attr("name", blueprint.String("internal")), attr("subnet_id", blueprint.Ref("azurerm_subnet."+snet+".id")),
					attr("private_ip_address_allocation", blueprint.String("Dynamic")),
				}}}},
			}},
		)
		b.Outputs = append(b.Outputs, blueprint.Output{Name: fmt.Sprintf("nic%d_id", i), Value: blueprint.Ref(fmt.Sprintf("azurerm_network_interface.nic%d.id", i))})
	}
	b.Resources = b.Resources[:n]
	return b
}

func ptr[T any](v T) *T { return &v }

func TestBigBlueprintIsValid(t *testing.T) {
	if diags := blueprint.Validate(bigBlueprint(100), testCatalog(t)); diags.HasErrors() {
		t.Fatalf("the benchmark blueprint must be valid:\n%s", diags.Errors().Error())
	}
}

// BenchmarkGenerate1000 generates all files of a 1,000-resource blueprint.
func BenchmarkGenerate1000(b *testing.B) {
	bp := bigBlueprint(1000)
	for b.Loop() {
		if _, err := blueprint.Generate(bp, blueprint.GenerateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate1000 validates the same blueprint against the full catalog.
func BenchmarkValidate1000(b *testing.B) {
	bp := bigBlueprint(1000)
	cat := testCatalog(b)
	for b.Loop() {
		if blueprint.Validate(bp, cat).HasErrors() {
			b.Fatal("invalid")
		}
	}
}

// BenchmarkParseDocument1000 decodes the 1,000-resource blueprint's JSON document.
func BenchmarkParseDocument1000(b *testing.B) {
	doc, err := bigBlueprint(1000).MarshalDocument()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := blueprint.ParseDocument(doc); err != nil {
			b.Fatal(err)
		}
	}
}
