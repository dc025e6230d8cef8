package runs

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/cloudoven/cloudoven/store"
)

// TestServiceSealsPlansStoredInTheClear: a database from before plans were sealed holds a
// run waiting for approval and a finished one, with their plans in the clear. Start seals
// both; the waiting run still applies its saved plan.
func TestServiceSealsPlansStoredInTheClear(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.CreateProject(ctx, "payments", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateBlueprint(ctx, "payments", "app", "", []byte(`{"format":1}`), ""); err != nil {
		t.Fatal(err)
	}
	var deps []int64
	for _, env := range []string{"dev", "prod"} {
		if _, err := s.CreateEnvironment(ctx, "payments", env, nil); err != nil {
			t.Fatal(err)
		}
		d, err := s.CreateDeployment(ctx, "payments", "app", 1, env, "")
		if err != nil {
			t.Fatal(err)
		}
		deps = append(deps, d.ID)
	}
	for i, id := range []string{"run-waiting", "run-done"} {
		newRun(t, s, deps[i], id)
		for _, tr := range []store.RunTransition{{To: store.RunRunning},
			{To: store.RunPlanned, Plan: []byte("x"), PlanJSON: []byte("x"), Summary: []byte(`{}`), PlanSealed: true}} {
			if _, err := s.TransitionRun(ctx, id, tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.TransitionRun(ctx, "run-done", store.RunTransition{To: store.RunDiscarded, By: "ada"}); err != nil {
		t.Fatal(err)
	}
	// What an older build stored: the plan and its JSON in the clear.
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE runs SET plan = ?, plan_json = ?, plan_sealed = 0`, fixturePlanFile, fixtureShow); err != nil {
		t.Fatal(err)
	}

	exec := newFakeExecutor(false)
	sealer := newSealer(t)
	svc := New(Options{Store: s, Executor: exec, Hub: NewHub(s, nil), Sealer: sealer,
		Prepare: func(context.Context, string, int64) (Prepared, error) { return Prepared{}, nil }})
	sctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); svc.Wait() }()
	if err := svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"run-waiting", "run-done"} {
		r, err := s.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		plan, planJSON, err := s.RunPlan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !r.PlanSealed || bytes.Contains(plan, []byte("# lock")) || bytes.Contains(planJSON, []byte("format_version")) {
			t.Errorf("run %s after Start: sealed %v, plan %.20q, JSON %.20q", id, r.PlanSealed, plan, planJSON)
		}
		if opened, _, err := svc.savedPlan(ctx, r); err != nil || !bytes.Equal(opened, fixturePlanFile) {
			t.Errorf("run %s: the sealed plan opens to %d bytes, %v", id, len(opened), err)
		}
	}
	if n, err := SealSavedPlans(ctx, s, sealer); err != nil || n != 0 {
		t.Errorf("SealSavedPlans again = %d, %v; want nothing left to seal", n, err)
	}
	if _, err := svc.Approve(ctx, "run-waiting", "bob"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, exec: exec}
	f.waitState(t, "run-waiting", store.RunApplied)
	if jobs := exec.jobsOf("run-waiting"); len(jobs) != 1 || !bytes.Equal(jobs[0].Extra["tfplan"], fixturePlanFile) {
		t.Error("the apply did not get the saved plan")
	}
}

// TestSavedPlanRefusesAnotherKeyOrRun: a sealed plan opens only with its key, as its own
// run's, and as the part it is.
func TestSavedPlanRefusesAnotherKeyOrRun(t *testing.T) {
	t.Parallel()
	sealer := newSealer(t)
	plan, planJSON, err := sealPlan(sealer, "run-1", []byte("plan"), []byte("json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sealer.Open(plan, planAD("run-1", partPlan)); err != nil || string(got) != "plan" {
		t.Fatalf("opening the plan: %q, %v", got, err)
	}
	for name, open := range map[string]func() ([]byte, error){
		"another key":    func() ([]byte, error) { return newSealer(t).Open(plan, planAD("run-1", partPlan)) },
		"another run":    func() ([]byte, error) { return sealer.Open(plan, planAD("run-2", partPlan)) },
		"the other part": func() ([]byte, error) { return sealer.Open(planJSON, planAD("run-1", partPlan)) },
	} {
		if got, err := open(); err == nil {
			t.Errorf("%s: opened to %q", name, got)
		}
	}
}
