package runs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

const dockerDoc = `{"format": 1, "name": "app",
  "resources": [
    {"type": "terraform_data", "name": "first", "config": {"input": {"literal": "hello"}}},
    {"type": "terraform_data", "name": "second", "config": {"input": {"ref": "terraform_data.first.output"}}}
  ]}`

// waitState waits until the run reaches one of the states, failing on a final state that is
// not among them. Only the run's own progress is waited for.
func waitState(t *testing.T, st *store.Store, runID string, want ...store.RunState) store.Run {
	t.Helper()
	deadline := time.After(3 * time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		r, err := st.Run(context.Background(), runID)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if r.State == w {
				return r
			}
		}
		if r.State.Done() {
			lines, _ := st.RunLog(context.Background(), runID, 0, 200)
			t.Fatalf("run %s ended %s (%s), want %v; log:\n%v", runID, r.State, r.Error, want, lines)
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("run %s still %s, want %v", runID, r.State, want)
		}
	}
}

func summaryOf(t *testing.T, r store.Run) Summary {
	t.Helper()
	var s Summary
	if err := json.Unmarshal(r.Summary, &s); err != nil {
		t.Fatalf("run %s summary %q: %v", r.ID, r.Summary, err)
	}
	return s
}

// dockerRig is a Service on the real Docker Engine with the runner image, over a real
// store holding one deployment (project team, blueprint app, environment dev, http backend),
// and CloudOven's own state backend on loopback.
type dockerRig struct {
	store      *store.Store
	svc        *Service
	sealer     Sealer
	deployment int64
}

// newDockerRig starts the rig. prepare nil prepares the deployment's generated files
// (NewPreparer, without secrets).
func newDockerRig(t *testing.T, prepare PrepareFunc) *dockerRig {
	t.Helper()
	testenv.RunnerImage(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := seedDeployment(t, st, dockerDoc)

	authz := state.NewTokenAuthorizer(0)
	srv := httptest.NewServer(state.NewServer(st, state.NewDirStore(t.TempDir()), authz, nil))
	t.Cleanup(srv.Close)
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	exec, err := runner.NewDocker(runner.DockerOptions{Instance: "test-" + hex.EncodeToString(b)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Whatever this test's instance left on the daemon, even after a failure.
		exec.RemoveOrphans(context.Background(), nil)
		exec.Close()
	})
	if prepare == nil {
		prepare = NewPreparer(st, embeddedCatalog, nil)
	}
	sealer := newSealer(t)
	svc := New(Options{
		Store: st, Executor: exec, Hub: NewHub(st, nil),
		Prepare:     prepare,
		Sealer:      sealer,
		NetworkMode: "host", // the container reaches the state backend on this machine's loopback
		Authorizer:  authz, StateURL: srv.URL,
	})
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	return &dockerRig{store: st, svc: svc, sealer: sealer, deployment: d}
}

// TestDockerRunsAgainstCloudOvenState is the runner's integration test on the real Docker
// Engine with the runner image and CloudOven's own state backend: plan → approve → apply,
// a second run that waits for the first, a plan with no changes that ends by itself, destroy; the state versions
// record each apply, and only the applies: a plan's credentials cannot write state.
func TestDockerRunsAgainstCloudOvenState(t *testing.T) {
	rig := newDockerRig(t, nil)
	ctx := context.Background()
	st, svc, d := rig.store, rig.svc, struct{ ID int64 }{rig.deployment}

	first, err := svc.Plan(ctx, "team", d.ID, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	// A second run on the same deployment waits for the first.
	second, err := svc.Plan(ctx, "team", d.ID, "bob", false)
	if err != nil {
		t.Fatal(err)
	}
	r := waitState(t, st, first.ID, store.RunPlanned)
	if s := summaryOf(t, r); s.Add != 2 || s.Change != 0 || s.Destroy != 0 {
		t.Errorf("first plan: %+v, want 2 to add", s)
	}
	if r2, _ := st.Run(ctx, second.ID); r2.State != store.RunQueued {
		t.Errorf("second run is %s while the first is planned, want queued", r2.State)
	}
	if _, err := svc.Approve(ctx, first.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	waitState(t, st, first.ID, store.RunApplied)

	// The second run plans after the apply: nothing left to change, so it ends by itself
	// and frees the deployment for the destroy without anyone discarding it.
	r = waitState(t, st, second.ID, store.RunDiscarded)
	if s := summaryOf(t, r); s.HasChanges() || !NoChanges(r) || r.CanceledBy != "" {
		t.Errorf("plan after the apply: %+v (run %+v), want no changes, ended by itself", s, r)
	}

	destroy, err := svc.Plan(ctx, "team", d.ID, "alice", true)
	if err != nil {
		t.Fatal(err)
	}
	r = waitState(t, st, destroy.ID, store.RunPlanned)
	if s := summaryOf(t, r); s.Destroy != 2 {
		t.Errorf("destroy plan: %+v, want 2 to destroy", s)
	}
	if _, err := svc.Approve(ctx, destroy.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	waitState(t, st, destroy.ID, store.RunApplied)

	versions, err := st.StateVersions(ctx, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) < 2 {
		t.Fatalf("%d state versions, want one per apply at least", len(versions))
	}
	resources := map[int]int{}
	for _, v := range versions {
		resources[v.Version] = v.Resources
	}
	newest := versions[0]
	for _, v := range versions {
		if v.Version > newest.Version {
			newest = v
		}
	}
	if newest.Resources != 0 {
		t.Errorf("after destroy the newest state version has %d resources: %v", newest.Resources, resources)
	}
	found2 := false
	for _, v := range versions {
		found2 = found2 || v.Resources == 2
	}
	if !found2 {
		t.Errorf("no state version with the two resources: %v", resources)
	}
	if lock, err := st.StateLock(ctx, d.ID); err == nil && lock.ID != "" {
		t.Errorf("a lock is left: %+v", lock)
	}
	// Plans hold credentials that cannot write: every version is an apply's.
	for _, v := range versions {
		if v.RunID != first.ID && v.RunID != destroy.ID {
			t.Errorf("state version %d was written by run %q, not by an apply (%s or %s)", v.Version, v.RunID, first.ID, destroy.ID)
		}
	}
}

// TestDockerRunWithoutKeptStateIsRefused: with a local backend, or none, terraform writes
// the state into the run's workspace, which the Docker runner removes when the run ends; an
// apply's state would be gone and the next plan would create everything again. Such a run
// is refused before anything runs.
func TestDockerRunWithoutKeptStateIsRefused(t *testing.T) {
	testenv.RunnerImage(t)
	for _, tt := range []struct{ name, env string }{
		{"local backend", `{"format": 1, "name": "dev", "backend": {"type": "local"}}`},
		{"no backend", `{"format": 1, "name": "dev"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if _, err := st.CreateProject(ctx, "team", ""); err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(dockerDoc), ""); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(tt.env)); err != nil {
				t.Fatal(err)
			}
			d, err := st.CreateDeployment(ctx, "team", "app", 1, "dev", "")
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 6)
			if _, err := rand.Read(b); err != nil {
				t.Fatal(err)
			}
			exec, err := runner.NewDocker(runner.DockerOptions{Instance: "test-" + hex.EncodeToString(b)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				exec.RemoveOrphans(context.Background(), nil)
				exec.Close()
			})
			resolver := deployment.NewResolver(deployment.Config{Store: st, Rules: st, Catalog: embeddedCatalog})
			svc := New(Options{
				Store: st, Executor: exec, Hub: NewHub(st, nil),
				Prepare:    NewPreparer(st, embeddedCatalog, nil),
				Sealer:     newSealer(t),
				Guardrails: resolver, State: resolver,
			})
			runCtx, cancel := context.WithCancel(ctx)
			t.Cleanup(func() { cancel(); svc.Wait() })
			if err := svc.Start(runCtx); err != nil {
				t.Fatal(err)
			}

			run, err := svc.Plan(ctx, "team", d.ID, "alice", false)
			if err == nil {
				// What happened before: plan, apply, and the next plan creates it all again.
				waitState(t, st, run.ID, store.RunPlanned)
				if _, err := svc.Approve(ctx, run.ID, "alice"); err != nil {
					t.Fatal(err)
				}
				waitState(t, st, run.ID, store.RunApplied)
				next, err := svc.Plan(ctx, "team", d.ID, "alice", false)
				if err != nil {
					t.Fatalf("the apply was accepted, and the next plan: %v", err)
				}
				s := summaryOf(t, waitState(t, st, next.ID, store.RunPlanned))
				t.Fatalf("a run whose state is thrown away was accepted: after its apply, the next plan wants to add %d again", s.Add)
			}
			var lost *deployment.StateLossError
			if !errors.As(err, &lost) || lost.Environment != "dev" || !strings.Contains(err.Error(), "CloudOven's backend") {
				t.Errorf("the refusal is not a StateLossError that says what to do: %v", err)
			}
			if rs, err := st.DeploymentRuns(ctx, d.ID, 0); err != nil || len(rs) != 0 {
				t.Errorf("the refused plan left runs %v (%v)", rs, err)
			}
		})
	}
}
