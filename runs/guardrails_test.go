package runs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/store"
)

// guardedDoc is valid, but its resource group lacks the tags the default guardrails ask for.
const guardedDoc = `{"format": 1, "name": "app",
  "required_providers": [{"name": "azurerm", "source": "hashicorp/azurerm", "version": "~> 5.2"}],
  "providers": [{"name": "azurerm", "config": {"features": [{}]}}],
  "resources": [{"type": "azurerm_resource_group", "name": "rg", "config": {"name": {"literal": "rg-app"}, "location": {"literal": "westeurope"}}}]}`

const guardedEnv = `{"format": 1, "name": %q, "backend": {"type": "http"}, "runner": {"policy_blocking": %t}}`

// guardedFixture is a Service over a real store and the real preparer: project team deploys
// guardedDoc to dev (findings do not block) and to prod (they do).
type guardedFixture struct {
	*fixture
	dev, prod int64
}

func newGuardedService(t *testing.T, gated, checkFirst bool) *guardedFixture {
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
	if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(guardedDoc), ""); err != nil {
		t.Fatal(err)
	}
	g := &guardedFixture{fixture: &fixture{store: st, exec: newFakeExecutor(gated), hub: NewHub(st, nil)}}
	for _, e := range []struct {
		name     string
		blocking bool
		id       *int64
	}{{"dev", false, &g.dev}, {"prod", true, &g.prod}} {
		if _, err := st.CreateEnvironment(ctx, "team", e.name, fmt.Appendf(nil, guardedEnv, e.name, e.blocking)); err != nil {
			t.Fatal(err)
		}
		d, err := st.CreateDeployment(ctx, "team", "app", 1, e.name, "")
		if err != nil {
			t.Fatal(err)
		}
		*e.id = d.ID
	}
	opts := Options{Store: st, Executor: g.exec, Hub: g.hub, Prepare: NewPreparer(st, embeddedCatalog, nil), Sealer: newSealer(t)}
	if checkFirst {
		opts.Guardrails = deployment.NewResolver(deployment.Config{Store: st, Rules: st, Catalog: embeddedCatalog})
	}
	g.svc = New(opts)
	sctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); g.svc.Wait() })
	if err := g.svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	return g
}

func (g *guardedFixture) runs(t *testing.T, deploymentID int64) []store.Run {
	t.Helper()
	rs, err := g.store.DeploymentRuns(t.Context(), deploymentID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestServicePlanRefusesBlockedGuardrails calls Plan directly, as any caller would.
func TestServicePlanRefusesBlockedGuardrails(t *testing.T) {
	t.Parallel()
	g := newGuardedService(t, false, true)
	ctx := t.Context()

	_, err := g.svc.Plan(ctx, "team", g.prod, "ada", false)
	var blocked *deployment.BlockedError
	if !errors.As(err, &blocked) {
		t.Fatalf("planning prod: %v, want a *deployment.BlockedError", err)
	}
	if blocked.Environment != "prod" || len(blocked.Findings) != 1 || blocked.Findings[0].Resource != "azurerm_resource_group.rg" {
		t.Errorf("refused for %s with %v", blocked.Environment, blocked.Findings)
	}
	if rs := g.runs(t, g.prod); len(rs) != 0 {
		t.Errorf("a refused plan left %d runs", len(rs))
	}

	// The same findings do not block dev, and a destroy is never refused.
	for _, tt := range []struct {
		name       string
		deployment int64
		destroy    bool
	}{{"a plan where findings do not block", g.dev, false}, {"a destroy where they block", g.prod, true}} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := g.svc.Plan(ctx, "team", tt.deployment, "ada", tt.destroy)
			if err != nil {
				t.Fatal(err)
			}
			g.waitState(t, r.ID, store.RunPlanned)
		})
	}
}

// TestServiceRefusesAPlanThatBecameBlocked: the preparer's verdict refuses a plan whose
// environment started blocking after it was queued, and a Service without
// Options.Guardrails still refuses a blocked plan when its stage starts.
func TestServiceRefusesAPlanThatBecameBlocked(t *testing.T) {
	t.Parallel()

	t.Run("the environment changed while the run waited", func(t *testing.T) {
		t.Parallel()
		g := newGuardedService(t, true, true)
		ctx := t.Context()
		first, err := g.svc.Plan(ctx, "team", g.dev, "ada", false)
		if err != nil {
			t.Fatal(err)
		}
		g.waitStarted(t, first.ID)
		queued, err := g.svc.Plan(ctx, "team", g.dev, "ada", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.store.UpdateEnvironment(ctx, "team", "dev", fmt.Appendf(nil, guardedEnv, "dev", true)); err != nil {
			t.Fatal(err)
		}
		g.exec.gate(first.ID) <- struct{}{}
		g.waitState(t, first.ID, store.RunPlanned)
		if _, err := g.svc.Discard(ctx, first.ID, "ada"); err != nil {
			t.Fatal(err)
		}
		r := g.waitState(t, queued.ID, store.RunErrored)
		if !strings.HasPrefix(r.Error, "the plan was refused: environment dev makes guardrail findings block plans, and the deployment has 1") {
			t.Errorf("the refused run says %q", r.Error)
		}
		if js := g.exec.jobsOf(queued.ID); len(js) != 0 {
			t.Errorf("the refused plan reached the executor %d times", len(js))
		}
		if log := g.log(t, queued.ID); !strings.Contains(log, "CloudOven: the plan was refused") {
			t.Errorf("the log does not say why:\n%s", log)
		}
	})

	t.Run("a service that does not check first", func(t *testing.T) {
		t.Parallel()
		g := newGuardedService(t, false, false)
		ctx := t.Context()
		r, err := g.svc.Plan(ctx, "team", g.prod, "ada", false)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.waitState(t, r.ID, store.RunErrored); !strings.Contains(got.Error, "makes guardrail findings block plans") {
			t.Errorf("the refused run says %q", got.Error)
		}
		if js := g.exec.jobsOf(r.ID); len(js) != 0 {
			t.Errorf("the refused plan reached the executor %d times", len(js))
		}
		// A destroy's stage goes ahead, and so does the apply of its saved plan.
		d, err := g.svc.Plan(ctx, "team", g.prod, "ada", true)
		if err != nil {
			t.Fatal(err)
		}
		g.waitState(t, d.ID, store.RunPlanned)
		if _, err := g.svc.Approve(ctx, d.ID, "bob"); err != nil {
			t.Fatal(err)
		}
		g.waitState(t, d.ID, store.RunApplied)
	})
}
