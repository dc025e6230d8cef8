package runs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/store"
)

// foreignDoc uses a provider that is not in the catalog, from a registry of the author's
// choosing: its code would run with the environment's secrets.
const foreignDoc = `{"format": 1, "name": "tool",
  "required_providers": [{"name": "tool", "source": "registry.example.com/acme/tool", "version": "1.0.0"}],
  "resources": [{"type": "tool_thing", "name": "x", "config": {}}]}`

// newProviderService is a Service over a real store, the real preparer and guardrails, and
// the fake executor: project team deploys foreignDoc to dev, whose findings do not block.
func newProviderService(t *testing.T) (*fixture, int64) {
	t.Helper()
	loadFixtures(t)
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "tool", "", []byte(foreignDoc), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(`{"format": 1, "name": "dev", "backend": {"type": "http"}}`)); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "tool", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st, exec: newFakeExecutor(false), hub: NewHub(st, nil)}
	f.svc = New(Options{Sealer: newSealer(t), Store: st, Executor: f.exec, Hub: f.hub, Prepare: NewPreparer(st, embeddedCatalog, nil),
		Guardrails: deployment.NewResolver(deployment.Config{Store: st, Rules: st, Providers: st, Catalog: embeddedCatalog})})
	sctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); f.svc.Wait() })
	if err := f.svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	return f, d.ID
}

// TestServicePlanRefusesProvidersOutsideTheAllowList calls Plan directly: a provider the
// project does not allow refuses plans and destroys alike, whatever the environment says
// of findings, and nothing is queued.
func TestServicePlanRefusesProvidersOutsideTheAllowList(t *testing.T) {
	t.Parallel()
	f, id := newProviderService(t)
	ctx := t.Context()
	for _, destroy := range []bool{false, true} {
		_, err := f.svc.Plan(ctx, "team", id, "olivia", destroy)
		var blocked *deployment.BlockedError
		if !errors.As(err, &blocked) {
			t.Errorf("destroy %v: %v, want a *deployment.BlockedError", destroy, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "registry.example.com/acme/tool") || !strings.Contains(msg, "not allowed") {
			t.Errorf("destroy %v: refused with %q", destroy, msg)
		}
	}
	rs, err := f.store.DeploymentRuns(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 0 {
		t.Errorf("the refused plans left %d runs", len(rs))
	}
	f.exec.mu.Lock()
	defer f.exec.mu.Unlock()
	if len(f.exec.jobs) != 0 {
		t.Errorf("the executor got %d jobs", len(f.exec.jobs))
	}
}

// TestServicePlanOnceTheProviderIsAllowed: once a project admin allows the source, Plan
// queues the run and its stage goes ahead; taken back, neither the apply of that plan nor
// the next plan runs.
func TestServicePlanOnceTheProviderIsAllowed(t *testing.T) {
	t.Parallel()
	f, id := newProviderService(t)
	ctx := t.Context()
	if _, err := f.store.AllowProvider(ctx, "team", "registry.example.com/acme/tool", "ada"); err != nil {
		t.Fatal(err)
	}
	r, err := f.svc.Plan(ctx, "team", id, "olivia", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunPlanned)
	// Taken back before the plan is approved: the apply is refused before it runs.
	if err := f.store.DisallowProvider(ctx, "team", "registry.example.com/acme/tool"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, r.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if got := f.waitState(t, r.ID, store.RunErrored); !strings.Contains(got.Error, "provider registry.example.com/acme/tool is not allowed in this project") {
		t.Errorf("the apply ended with %q", got.Error)
	}
	if js := f.exec.jobsOf(r.ID); len(js) != 1 {
		t.Errorf("the run reached the executor %d times, want once (its plan)", len(js))
	}
	var blocked *deployment.BlockedError
	if _, err := f.svc.Plan(ctx, "team", id, "olivia", false); !errors.As(err, &blocked) {
		t.Errorf("once taken back: %v, want a *deployment.BlockedError", err)
	}
}

// TestServiceAllowedByRuleUntilTakenBack: a construct a project admin allows by rule plans;
// once the rule file no longer allows it, the apply of that plan is refused before it runs.
func TestServiceAllowedByRuleUntilTakenBack(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	ctx := t.Context()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	doc := fmt.Sprintf(exfiltrationDoc, "http://collector.example")
	if _, _, err := st.CreateBlueprint(ctx, "team", "leak", "", []byte(doc), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(`{"format": 1, "name": "dev", "backend": {"type": "http"}}`)); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "leak", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	vault := secrets.NewVault(st, box)
	if err := vault.Set(ctx, "team", "dev", "TF_VAR_pw", secret); err != nil {
		t.Fatal(err)
	}
	if err := st.SetProjectPolicy(ctx, "team", []byte(`{"rules": [{"id": "own-remote-state", "allow": ["data.terraform_remote_state.leak"]}]}`)); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st, exec: newFakeExecutor(false), hub: NewHub(st, nil)}
	f.svc = New(Options{Sealer: newSealer(t), Store: st, Executor: f.exec, Hub: f.hub, Prepare: NewPreparer(st, embeddedCatalog, vault),
		Guardrails: deployment.NewResolver(deployment.Config{Store: st, Rules: st, Providers: st, Catalog: embeddedCatalog})})
	sctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); f.svc.Wait() })
	if err := f.svc.Start(sctx); err != nil {
		t.Fatal(err)
	}

	r, err := f.svc.Plan(ctx, "team", d.ID, "olivia", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunPlanned)
	if err := st.SetProjectPolicy(ctx, "team", []byte(`{"rules": []}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, r.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	got := f.waitState(t, r.ID, store.RunErrored)
	if !strings.HasPrefix(got.Error, "the apply was refused: the deployment has 1 guardrail finding that blocks every run whatever the environment says (own-remote-state on data.terraform_remote_state.leak)") {
		t.Errorf("the apply ended with %q", got.Error)
	}
	if js := f.exec.jobsOf(r.ID); len(js) != 1 {
		t.Errorf("the run reached the executor %d times, want once (its plan)", len(js))
	}
}
