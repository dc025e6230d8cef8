package starters_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/starters"
)

// testCatalog is the embedded catalog, loaded once per test binary.
func testCatalog(t testing.TB) *catalog.Catalog { return testenv.Catalog(t) }

func TestListOrder(t *testing.T) {
	var ids []string
	for _, s := range starters.List() {
		ids = append(ids, s.ID)
		if s.Title == "" || s.Description == "" {
			t.Errorf("starter %s needs a title and a description", s.ID)
		}
	}
	want := []string{"aks-baseline", "appgw-waf", "postgres-keyvault", "servicebus-eventhub", "aks-addons", "state-bootstrap"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("List() ids (-want +got):\n%s", diff)
	}
}

func TestUnknownStarter(t *testing.T) {
	b, err := starters.Blueprint("no-such-starter", "x")
	if err == nil || b != nil {
		t.Fatalf("Blueprint(no-such-starter) = %v, %v; want an error", b, err)
	}
	if !strings.Contains(err.Error(), `"no-such-starter"`) {
		t.Errorf("error %q does not name the id", err)
	}
}

// TestImportIsClean reads every starter's files directly, so a warning (a dynamic block, a
// module call, a skipped argument) is caught even though Blueprint only fails on errors.
func TestImportIsClean(t *testing.T) {
	for _, s := range starters.List() {
		t.Run(s.ID, func(t *testing.T) {
			t.Parallel()
			src := readStarter(t, s.ID)
			if len(src) == 0 {
				t.Fatal("no .tf files")
			}
			_, diags := blueprint.Import(src)
			for _, d := range diags {
				t.Errorf("import: %s", d)
			}
		})
	}
}

func TestBlueprintValidates(t *testing.T) {
	cat := testCatalog(t)
	for _, s := range starters.List() {
		t.Run(s.ID, func(t *testing.T) {
			t.Parallel()
			b, err := starters.Blueprint(s.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b.Name != s.ID {
				t.Errorf("Name = %q, want %q", b.Name, s.ID)
			}
			for _, d := range blueprint.Validate(b, cat) {
				t.Errorf("validate: %s", d)
			}
			if len(b.Resources) == 0 || len(b.Outputs) == 0 {
				t.Errorf("%d resources and %d outputs; a starter needs both", len(b.Resources), len(b.Outputs))
			}
		})
	}
}

func TestRequiredProvidersMatchCatalog(t *testing.T) {
	cat := testCatalog(t)
	for _, s := range starters.List() {
		t.Run(s.ID, func(t *testing.T) {
			t.Parallel()
			b, err := starters.Blueprint(s.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.RequiredProviders) == 0 {
				t.Fatal("no required_providers")
			}
			used := map[string]bool{}
			for r := range b.AllResources() {
				name, _, _ := strings.Cut(r.Type, "_")
				used[name] = true
			}
			for _, rp := range b.RequiredProviders {
				p := cat.Provider(rp.Source)
				if p == nil {
					t.Errorf("%s: %s is not in the catalog", rp.Name, rp.Source)
					continue
				}
				parts := strings.SplitN(p.Version, ".", 3)
				if want := "~> " + parts[0] + "." + parts[1]; rp.Version != want {
					t.Errorf("%s: version %q, want %q (catalog has %s)", rp.Name, rp.Version, want, p.Version)
				}
				delete(used, rp.Name)
			}
			for name := range used {
				t.Errorf("provider %s is used but not required", name)
			}
		})
	}
}

// TestVariablesAreDescribed keeps every variable documented, and secrets marked sensitive.
func TestVariablesAreDescribed(t *testing.T) {
	for _, s := range starters.List() {
		t.Run(s.ID, func(t *testing.T) {
			t.Parallel()
			b, err := starters.Blueprint(s.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Variables) == 0 {
				t.Fatal("no variables")
			}
			for _, v := range b.Variables {
				if strings.TrimSpace(v.Description) == "" {
					t.Errorf("variable %s has no description", v.Name)
				}
				if v.Type == "" {
					t.Errorf("variable %s has no type", v.Name)
				}
				secret := strings.HasSuffix(v.Name, "_password") || strings.HasSuffix(v.Name, "_key") || strings.HasSuffix(v.Name, "_token")
				if secret && !v.Sensitive {
					t.Errorf("variable %s looks secret but is not sensitive", v.Name)
				}
			}
		})
	}
}

// TestOutputs checks the outputs each starter promises.
func TestOutputs(t *testing.T) {
	want := map[string][]string{
		"aks-baseline":        {"kube_config_raw", "cluster_id", "acr_login_server"},
		"appgw-waf":           {"public_ip_address", "fqdn", "gateway_id"},
		"postgres-keyvault":   {"server_fqdn", "key_vault_uri", "admin_password_secret_id"},
		"servicebus-eventhub": {"servicebus_namespace_id", "servicebus_endpoint", "eventhub_namespace_id", "eventhub_kafka_endpoint"},
		"aks-addons":          {"ingress_nginx_namespace", "monitoring_namespace"},
		"state-bootstrap":     {"storage_account_name", "container_name", "resource_group_name"},
	}
	sensitive := map[string]bool{"aks-baseline/kube_config_raw": true}
	for _, s := range starters.List() {
		t.Run(s.ID, func(t *testing.T) {
			b, err := starters.Blueprint(s.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			have := map[string]blueprint.Output{}
			for _, o := range b.Outputs {
				have[o.Name] = o
				if o.Description == "" {
					t.Errorf("output %s has no description", o.Name)
				}
			}
			for _, name := range want[s.ID] {
				o, ok := have[name]
				if !ok {
					t.Errorf("missing output %s", name)
					continue
				}
				if sensitive[s.ID+"/"+name] && !o.Sensitive {
					t.Errorf("output %s must be sensitive", name)
				}
			}
		})
	}
}

// TestAKSBaselineWiring pins what the baseline is about: Azure CNI, monitoring into the
// workspace, and AcrPull for the kubelet identity.
func TestAKSBaselineWiring(t *testing.T) {
	b, err := starters.Blueprint("aks-baseline", "aks")
	if err != nil {
		t.Fatal(err)
	}
	aks := find(t, b, "azurerm_kubernetes_cluster.main")
	np := aks.Config.BlocksOf("network_profile")
	if len(np) != 1 || !isString(np[0].Body.Attribute("network_plugin"), "azure") {
		t.Errorf("network_profile.network_plugin is not \"azure\"")
	}
	oms := aks.Config.BlocksOf("oms_agent")
	if len(oms) != 1 || !isRef(oms[0].Body.Attribute("log_analytics_workspace_id"), "azurerm_log_analytics_workspace.main.id") {
		t.Errorf("oms_agent does not send to the workspace")
	}
	ra := find(t, b, "azurerm_role_assignment.acr_pull")
	if !isString(ra.Config.Attribute("role_definition_name"), "AcrPull") {
		t.Errorf("role assignment is not AcrPull")
	}
	if !isRef(ra.Config.Attribute("principal_id"), "azurerm_kubernetes_cluster.main.kubelet_identity[0].object_id") {
		t.Errorf("AcrPull is not granted to the kubelet identity")
	}
}

func TestGeneratedFilesAreFormatted(t *testing.T) {
	tfBin := testenv.Terraform(t)
	dir := t.TempDir()
	for _, s := range starters.List() {
		b, err := starters.Blueprint(s.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
		if err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
		sub := filepath.Join(dir, s.ID)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(sub, f.Name), f.Content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tf, err := tfexec.NewTerraform(dir, tfBin)
	if err != nil {
		t.Fatal(err)
	}
	tf.SetEnv(testenv.TerraformEnv(t))
	ok, unformatted, err := tf.FormatCheck(context.Background(), tfexec.Recursive(true))
	if err != nil {
		t.Fatalf("terraform fmt -check: %v", err)
	}
	if !ok {
		t.Errorf("terraform fmt -check wants to change: %s", strings.Join(unformatted, ", "))
	}
}

// TestGenerateRoundTrip imports the generated files again: a starter survives the trip
// through the editor's download unchanged.
func TestGenerateRoundTrip(t *testing.T) {
	for _, s := range starters.List() {
		t.Run(s.ID, func(t *testing.T) {
			t.Parallel()
			b, err := starters.Blueprint(s.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			src := map[string][]byte{}
			for _, f := range files {
				src[f.Name] = f.Content
			}
			again, diags := blueprint.Import(src)
			if len(diags) > 0 {
				t.Fatalf("re-import: %s", diags.Error())
			}
			again.Name, again.Description = b.Name, b.Description
			first, err := b.MarshalDocument()
			if err != nil {
				t.Fatal(err)
			}
			second, err := again.MarshalDocument()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(first), string(second)); diff != "" {
				t.Errorf("generate then import changes the blueprint (-first +second):\n%s", diff)
			}
		})
	}
}

func readStarter(t *testing.T, id string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(id, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = data
	}
	return out
}

func find(t *testing.T, b *blueprint.Blueprint, addr string) blueprint.Resource {
	t.Helper()
	r := b.Resource(addr)
	if r == nil {
		t.Fatalf("no %s", addr)
	}
	return *r
}

func isString(v *blueprint.Value, want string) bool {
	return v != nil && v.Kind == blueprint.LiteralKind && v.Literal.Type().FriendlyName() == "string" && v.Literal.AsString() == want
}

func isRef(v *blueprint.Value, want string) bool {
	return v != nil && v.Kind == blueprint.ReferenceKind && v.Ref == want
}

// TestDefaultsReadBack: every starter variable's default, shown in the editor by the value
// rule, is read back as the same value, so saving the variables unchanged changes nothing.
func TestDefaultsReadBack(t *testing.T) {
	t.Parallel()
	checked := 0
	for _, s := range starters.List() {
		bp, err := starters.Blueprint(s.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range bp.Variables {
			if v.Default == nil {
				continue
			}
			checked++
			shown := blueprint.FormatVariableValue(*v.Default, v.Type)
			back, set, ds := blueprint.ParseVariableValue("default", shown, v.Type)
			if !set || len(ds) > 0 || back.Kind != blueprint.LiteralKind || !back.Literal.RawEquals(v.Default.Literal) {
				t.Errorf("%s: var.%s: default shown as %s reads back as %#v (%v), want %#v", s.ID, v.Name, shown, back, ds, v.Default.Literal)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d defaults checked", checked)
	}
}
