package deployment_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/policy"
)

// A deployment's files, which runs materialise and its zip holds, include the files of the
// local modules the blueprint calls, in their folders, after the generated ones; a module
// whose code is not among them blocks the plan.
func TestResolveCarriesModuleFiles(t *testing.T) {
	b := parse(t, `{"format": 1, "name": "mods",
  "modules": [
    {"name": "net", "source": "./modules/net", "inputs": {"name": {"literal": "demo"}}},
    {"name": "aks", "source": "Azure/aks/azurerm", "version": "~> 9.0", "inputs": {"prefix": {"ref": "module.net.id"}}}
  ],
  "module_files": [{"path": "modules/net/main.tf", "content": "variable \"name\" {}\n\noutput \"id\" {\n  value = var.name\n}\n"}],
  "outputs": [{"name": "id", "value": {"ref": "module.net.id"}}]}`)
	env := parseEnv(t, `{"format": 1, "name": "dev", "backend": {"type": "http"}}`)
	res, err := deployment.Resolve(deployment.Inputs{Blueprint: b, Name: "mods", Version: 1, Environment: env,
		StateKey: "p/mods/dev.tfstate", StateAddress: "https://cloudoven.example.com/api/v1/state/p/mods/dev.tfstate", Catalog: testenv.Catalog(t),
		Rules: policy.DefaultRules()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		t.Fatalf("diagnostics:\n%s", res.Diagnostics.Error())
	}
	var names []string
	for _, f := range res.Files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"main.tf", "variables.tf", "outputs.tf", "terraform.tfvars", "modules/net/main.tf"}, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if got := string(res.Files[len(res.Files)-1].Content); got != b.ModuleFiles[0].Content {
		t.Errorf("module file changed on the way: %q", got)
	}
	// The registry module's code is not among the files: its call blocks every plan until
	// a project admin allows it.
	var blocking []string
	for _, f := range res.Verdict.Findings {
		if f.Blocks {
			blocking = append(blocking, f.Rule+" "+f.Resource)
		}
	}
	if diff := cmp.Diff([]string{"reviewed-modules module.aks"}, blocking); diff != "" {
		t.Errorf("blocking findings (-want +got):\n%s", diff)
	}
	if res.Verdict.Err() == nil {
		t.Error("a plan of an unreviewed registry module is not refused")
	}
}
