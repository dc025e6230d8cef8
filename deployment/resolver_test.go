package deployment_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/store"
)

// openStore is a store with project team, blueprint app (v1 guardedDoc, v2 with a second
// resource group) and environment dev deployed at v1; it returns the deployment's id.
func openStore(t *testing.T) (*store.Store, int64) {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(guardedDoc), ""); err != nil {
		t.Fatal(err)
	}
	v2 := strings.TrimSuffix(guardedDoc, `]}`) + `, {"type": "azurerm_resource_group", "name": "other", "config": {"name": {"literal": "rg-other"}, "location": {"ref": "var.location"}}}]}`
	if _, err := st.AddBlueprintVersion(ctx, "team", "app", []byte(v2), "second"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(devEnv)); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "app", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	return st, d.ID
}

func TestResolverResolve(t *testing.T) {
	t.Parallel()
	st, id := openStore(t)
	ctx := t.Context()
	cat := testenv.Catalog(t)
	names := map[string][]string{"dev": {"TF_VAR_token"}}
	r := deployment.NewResolver(deployment.Config{Store: st, Rules: st, Catalog: func() *catalog.Catalog { return cat },
		SecretNames: func(_ context.Context, project, env string) ([]string, error) { return names[env], nil }})

	res, err := r.Resolve(ctx, "team", id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "app" || res.Version != 1 || res.Environment.Name != "dev" || res.StateKey != "team/app/dev.tfstate" {
		t.Errorf("inputs: %s v%d, environment %s, key %s", res.Name, res.Version, res.Environment.Name, res.StateKey)
	}
	if res.Diagnostics.HasErrors() {
		t.Errorf("the secret name does not count: %s", res.Diagnostics.Error())
	}
	if v, ok := res.Environment.Secrets["TF_VAR_token"]; !ok || v != "" {
		t.Errorf("secrets %q: want the name with no value", res.Environment.Secrets)
	}
	// The core, given the same inputs, gives the same files.
	in, err := r.Inputs(ctx, "team", id, 0)
	if err != nil {
		t.Fatal(err)
	}
	core, err := deployment.Resolve(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(core.Files, res.Files); diff != "" {
		t.Errorf("resolver and core differ:\n%s", diff)
	}
	if len(res.Verdict.Findings) != 1 || res.Verdict.Blocking {
		t.Errorf("verdict %+v: want one finding (the default tags), not blocking", res.Verdict)
	}

	// Another version: its files, its header.
	v2, err := r.Resolve(ctx, "team", id, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(v2.Files[0].Content), `blueprint "app" v2 for environment "dev"`) ||
		!strings.Contains(string(v2.Files[0].Content), `"rg-other"`) {
		t.Errorf("v2 main.tf:\n%s", v2.Files[0].Content)
	}
	if len(v2.Verdict.Findings) != 2 {
		t.Errorf("v2 findings %v", v2.Verdict.Findings)
	}

	// Missing things are store.ErrNotFound.
	for _, tt := range []struct {
		id      int64
		version int
	}{{id, 9}, {id + 100, 0}} {
		if _, err := r.Resolve(ctx, "team", tt.id, tt.version); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deployment %d version %d: %v, want ErrNotFound", tt.id, tt.version, err)
		}
	}
}

func TestResolverGuardrails(t *testing.T) {
	t.Parallel()
	st, id := openStore(t)
	ctx := t.Context()
	r := deployment.NewResolver(deployment.Config{Store: st, Rules: st, Catalog: func() *catalog.Catalog { return testenv.Catalog(t) }})

	v, err := r.Guardrails(ctx, "team", id)
	if err != nil || v.Blocking || len(v.Findings) != 1 || v.Err() != nil {
		t.Fatalf("verdict %+v, %v: want one finding that does not block", v, err)
	}

	// The project's rules turn the finding off.
	if err := st.SetProjectPolicy(ctx, "team", []byte(`{"rules": [{"id": "required-tags", "enabled": false}]}`)); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Guardrails(ctx, "team", id); err != nil || len(v.Findings) != 0 {
		t.Errorf("with required-tags off: %+v, %v", v, err)
	}

	// A rule file from another build that no longer parses gives the defaults, and
	// blocking comes from the environment as stored now.
	if err := st.SetProjectPolicy(ctx, "team", []byte(`{"rules": [{"id": "retired-rule"}]}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateEnvironment(ctx, "team", "dev", []byte(strings.Replace(devEnv, `"format": 1,`, `"format": 1, "runner": {"policy_blocking": true},`, 1))); err != nil {
		t.Fatal(err)
	}
	v, err = r.Guardrails(ctx, "team", id)
	var blocked *deployment.BlockedError
	if err != nil || !errors.As(v.Err(), &blocked) || blocked.Environment != "dev" || len(blocked.Findings) != 1 {
		t.Errorf("verdict %+v, %v: want dev to block one finding", v, err)
	}
}

func TestResolverRefusesBrokenDocuments(t *testing.T) {
	t.Parallel()
	st, id := openStore(t)
	ctx := t.Context()
	r := deployment.NewResolver(deployment.Config{Store: st, Catalog: func() *catalog.Catalog { return testenv.Catalog(t) }})
	if _, err := st.UpdateEnvironment(ctx, "team", "dev", []byte(`{"format": 1, "name": "dev", "backend": 5}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(ctx, "team", id, 0); err == nil || !strings.Contains(err.Error(), `environment "dev"`) {
		t.Errorf("a broken environment document: %v", err)
	}
}

func TestParseEnvironment(t *testing.T) {
	env, err := deployment.ParseEnvironment(store.Environment{Name: "dev", Document: []byte(" \n")})
	if err != nil {
		t.Fatal(err)
	}
	// Stored without a document: before egress control, so egress open.
	want := blueprint.RunnerSettings{TerraformVersion: blueprint.DefaultTerraformVersion, NetworkMode: blueprint.DefaultNetworkMode, Egress: blueprint.EgressOpen}
	if diff := cmp.Diff(&blueprint.Environment{Name: "dev", Runner: want}, env); diff != "" {
		t.Errorf("an empty document (-want +got):\n%s", diff)
	}
	env, err = deployment.ParseEnvironment(store.Environment{Name: "prod", Document: []byte(devEnv)})
	if err != nil || env.Name != "prod" || env.Backend.Type != "azurerm" {
		t.Errorf("a stored document: %+v, %v; want its backend under the stored name", env, err)
	}
	if _, err := deployment.ParseEnvironment(store.Environment{Name: "qa", Document: []byte(`{"format": 1, "nme": "qa"}`)}); err == nil ||
		!strings.Contains(err.Error(), `environment "qa"`) {
		t.Errorf("a broken document: %v", err)
	}
}

type ruleStore struct {
	doc []byte
	err error
}

func (s ruleStore) ProjectPolicy(context.Context, string) ([]byte, error) { return s.doc, s.err }

func TestRules(t *testing.T) {
	offDoc := `{"rules": [{"id": "required-tags", "enabled": false}]}`
	off, err := policy.ParseRules([]byte(offDoc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		st      deployment.RuleStore
		want    policy.Rules
		wantRaw string
		wantErr bool
	}{
		{"no rule store", nil, policy.DefaultRules(), "", false},
		{"no rule file", ruleStore{err: store.ErrNotFound}, policy.DefaultRules(), "", false},
		{"a rule file", ruleStore{doc: []byte(offDoc)}, off, offDoc, false},
		{"a rule file that does not parse", ruleStore{doc: []byte(`{"rules": 1}`)}, policy.DefaultRules(), `{"rules": 1}`, true},
		{"a store that fails", ruleStore{err: errors.New("disk on fire")}, policy.DefaultRules(), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, raw, err := deployment.Rules(t.Context(), tt.st, "team")
			if (err != nil) != tt.wantErr {
				t.Errorf("error %v, want one: %v", err, tt.wantErr)
			}
			if raw != tt.wantRaw {
				t.Errorf("raw %q, want %q", raw, tt.wantRaw)
			}
			if diff := cmp.Diff(tt.want, rules); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}
