package blueprint_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
)

func TestEnvironmentDocumentKeepsRunnerSettings(t *testing.T) {
	t.Parallel()
	env, err := blueprint.ParseEnvironment([]byte(`{"format": 1, "name": "dev"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Stored before egress control: open, as its runs were.
	stored := blueprint.RunnerSettings{TerraformVersion: "1.5.7", NetworkMode: "bridge", Egress: blueprint.EgressOpen}
	if diff := cmp.Diff(stored, env.Runner); diff != "" {
		t.Errorf("a document without runner settings gets the defaults (-want +got):\n%s", diff)
	}
	env.Runner = blueprint.RunnerSettings{
		Image: "registry.example.com/tf:1.5.7", TerraformVersion: "1.6.0", NetworkMode: "none",
		Egress: blueprint.EgressAllowList, EgressHosts: []string{"management.azure.com", "*.blob.core.windows.net:443"},
		AllowedRegistries: []string{"registry.terraform.io"}, PolicyBlocking: true, CreateStateContainer: true,
	}
	doc, err := env.MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	again, err := blueprint.ParseEnvironment(doc)
	if err != nil {
		t.Fatalf("the document does not parse back: %v\n%s", err, doc)
	}
	if diff := cmp.Diff(env.Runner, again.Runner); diff != "" {
		t.Errorf("runner settings after a round trip (-want +got):\n%s", diff)
	}
}

// A new environment holds its runs to the default allow-list, which validates clean; an
// environment that says nothing keeps its runs open.
func TestNewEnvironmentsControlEgress(t *testing.T) {
	t.Parallel()
	r := blueprint.DefaultRunner()
	if r.Egress != blueprint.EgressAllowList || len(r.EgressHosts) == 0 {
		t.Fatalf("a new environment's runner settings: %+v", r)
	}
	env := &blueprint.Environment{Name: "dev", Runner: r}
	if ds := blueprint.ValidateEnvironment(&blueprint.Blueprint{}, env, "p/b/e.tfstate", ""); len(ds) > 0 {
		t.Errorf("the default runner settings have diagnostics: %v", ds)
	}
	doc, err := env.MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	again, err := blueprint.ParseEnvironment(doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, again.Runner); diff != "" {
		t.Errorf("a new environment after a round trip (-want +got):\n%s", diff)
	}
	if got := (blueprint.RunnerSettings{}).WithDefaults().Egress; got != blueprint.EgressOpen {
		t.Errorf("settings without an egress mode read as %q, want open", got)
	}
}

func TestBackendSettingsDescribeTheTable(t *testing.T) {
	t.Parallel()
	for _, typ := range blueprint.BackendTypes() {
		if len(blueprint.BackendSettings(typ)) == 0 {
			t.Errorf("backend %s has no settings", typ)
		}
	}
	if blueprint.BackendSettings("none") != nil || blueprint.BackendSettings("") != nil {
		t.Error("no backend has settings")
	}
	var key blueprint.BackendSetting
	for _, s := range blueprint.BackendSettings("gcs") {
		if s.StateKey {
			key = s
		}
	}
	if key.Name != "prefix" {
		t.Errorf("gcs takes the state key in %q, want prefix", key.Name)
	}
	got := blueprint.BackendSecrets("s3")
	want := []blueprint.BackendSecret{{"access_key", "AWS_ACCESS_KEY_ID"}, {"secret_key", "AWS_SECRET_ACCESS_KEY"}, {"token", "AWS_SESSION_TOKEN"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("s3 secrets (-want +got):\n%s", diff)
	}
}

func TestAzureAuthModes(t *testing.T) {
	t.Parallel()
	config := map[string]any{"storage_account_name": "st", "use_msi": true}
	m, ok := blueprint.AzureAuthModeNamed("azuread")
	if !ok {
		t.Fatal("no azuread mode")
	}
	m.Apply(config)
	if diff := cmp.Diff(map[string]any{"storage_account_name": "st", "use_azuread_auth": true}, config); diff != "" {
		t.Errorf("after applying azuread (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		config  map[string]any
		secrets []string
		want    string
	}{
		{map[string]any{"use_azuread_auth": true}, nil, "azuread"},
		{map[string]any{"use_msi": true}, nil, "managed_identity"},
		{map[string]any{}, []string{"ARM_CLIENT_ID", "ARM_CLIENT_SECRET"}, "service_principal"},
		{map[string]any{}, []string{"ARM_ACCESS_KEY", "ARM_CLIENT_SECRET"}, "access_key"},
		{map[string]any{}, nil, "access_key"},
	} {
		if got := blueprint.AzureAuthModeOf(c.config, c.secrets); got != c.want {
			t.Errorf("AzureAuthModeOf(%v, %v) = %s, want %s", c.config, c.secrets, got, c.want)
		}
	}
}

func TestCreateStateContainerValidation(t *testing.T) {
	t.Parallel()
	azurerm := blueprint.Backend{Type: "azurerm", Config: map[string]any{"storage_account_name": "tfstate", "container_name": "tfstate"}}
	tests := []struct {
		name    string
		backend blueprint.Backend
		secrets map[string]string
		want    string // summary of the diagnostic at runner.create_state_container; "" for none
	}{
		{"azurerm with the access key", azurerm, map[string]string{"ARM_ACCESS_KEY": "k"}, ""},
		{"azurerm without the access key", azurerm, map[string]string{"ARM_CLIENT_SECRET": "s"}, "creating the container needs the secret ARM_ACCESS_KEY"},
		{"another backend", blueprint.Backend{Type: "s3", Config: map[string]any{"bucket": "b", "region": "r"}}, map[string]string{"ARM_ACCESS_KEY": "k"},
			"only an azurerm backend's container can be created before init"},
		{"no backend", blueprint.Backend{}, map[string]string{"ARM_ACCESS_KEY": "k"}, "only an azurerm backend's container can be created before init"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runner := blueprint.DefaultRunner()
			runner.CreateStateContainer = true
			env := &blueprint.Environment{Name: "dev", Backend: tt.backend, Runner: runner, Secrets: tt.secrets}
			var got string
			for _, d := range blueprint.ValidateEnvironment(&blueprint.Blueprint{}, env, "p/b/e.tfstate", "") {
				if d.Path == "runner.create_state_container" {
					got = d.Summary
				} else {
					t.Errorf("unexpected diagnostic %s", d)
				}
			}
			if got != tt.want {
				t.Errorf("diagnostic %q, want %q", got, tt.want)
			}
		})
	}
}
