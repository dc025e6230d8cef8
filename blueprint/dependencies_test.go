package blueprint_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
)

func TestDependencies(t *testing.T) {
	t.Parallel()
	b := &blueprint.Blueprint{
		Name: "deps",
		Locals: []blueprint.Local{
			{Name: "prefix", Value: blueprint.Expr(`"app-${var.env}"`)},
			{Name: "rg_name", Value: blueprint.Expr(`"${local.prefix}-${data.terraform_remote_state.net.outputs.id}"`)},
		},
		Data: []blueprint.Resource{
			{Mode: blueprint.DataMode, Type: "terraform_remote_state", Name: "net", Config: blueprint.Body{
				Attributes: []blueprint.Attribute{{Name: "backend", Value: blueprint.String("local")}},
			}},
		},
		Resources: []blueprint.Resource{
			// Declared before what it refers to, so creation order differs from document order.
			{Mode: blueprint.ManagedMode, Type: "terraform_data", Name: "app", DependsOn: []string{"terraform_data.base"}, Config: blueprint.Body{
				Attributes: []blueprint.Attribute{
					{Name: "input", Value: blueprint.List(blueprint.Ref("terraform_data.rg.id"), blueprint.Ref("terraform_data.rg.output"))},
					// Referring to itself orders nothing and is left out.
					{Name: "triggers_replace", Value: blueprint.Ref("terraform_data.app.id")},
				},
			}},
			{Mode: blueprint.ManagedMode, Type: "terraform_data", Name: "rg", Config: blueprint.Body{
				Attributes: []blueprint.Attribute{{Name: "input", Value: blueprint.Ref("local.rg_name")}},
			}},
			{Mode: blueprint.ManagedMode, Type: "terraform_data", Name: "base", Config: blueprint.Body{
				Attributes: []blueprint.Attribute{{Name: "input", Value: blueprint.Ref("var.env")}},
			}},
		},
	}

	nodes, edges := blueprint.Dependencies(b)

	wantNodes := []string{
		"local.prefix",
		"data.terraform_remote_state.net",
		"local.rg_name",
		"terraform_data.rg",
		"terraform_data.base",
		"terraform_data.app",
	}
	if diff := cmp.Diff(wantNodes, nodes); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	wantEdges := []blueprint.Dependency{
		{From: "local.rg_name", To: "local.prefix"},
		{From: "local.rg_name", To: "data.terraform_remote_state.net"},
		{From: "terraform_data.rg", To: "local.rg_name"},
		{From: "terraform_data.app", To: "terraform_data.rg"},
		{From: "terraform_data.app", To: "terraform_data.base"},
	}
	if diff := cmp.Diff(wantEdges, edges); diff != "" {
		t.Errorf("edges (-want +got):\n%s", diff)
	}
}

func TestDependenciesEmpty(t *testing.T) {
	t.Parallel()
	nodes, edges := blueprint.Dependencies(&blueprint.Blueprint{Name: "empty"})
	if len(nodes) != 0 || len(edges) != 0 {
		t.Errorf("an empty blueprint has nodes %v and edges %v, want none", nodes, edges)
	}
}
