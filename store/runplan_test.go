package store

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// plannedRun creates a planned run with a saved plan. Unsealed, the plan is written in the
// clear the way builds before migration 0013 stored it (this store refuses to).
func plannedRun(t *testing.T, s *Store, dep int64, id string, sealed bool) {
	t.Helper()
	ctx := t.Context()
	createRun(t, s, dep, id)
	for _, tr := range []RunTransition{{To: RunRunning},
		{To: RunPlanned, Plan: []byte("sealed " + id), PlanJSON: []byte("sealed json " + id), Summary: []byte("{}"), PlanSealed: true}} {
		if _, err := s.TransitionRun(ctx, id, tr); err != nil {
			t.Fatal(err)
		}
	}
	if !sealed {
		if _, err := s.db.ExecContext(ctx, `UPDATE runs SET plan = ?, plan_json = ?, plan_sealed = 0 WHERE id = ?`,
			[]byte("PK clear "+id), []byte(`{"format_version":"1.2"}`), id); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSealRunPlan(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	plannedRun(t, s, dep, "run-old", false)
	plannedRun(t, s, dep, "run-new", true)
	createRun(t, s, dep, "run-queued")

	ids, err := s.UnsealedRunPlans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"run-old"}, ids); diff != "" {
		t.Errorf("UnsealedRunPlans (-want +got):\n%s", diff)
	}
	if r, _ := s.Run(ctx, "run-old"); r.PlanSealed {
		t.Error("a plan stored in the clear reads as sealed")
	}
	if err := s.SealRunPlan(ctx, "run-old", []byte("sealed now"), []byte("sealed json now")); err != nil {
		t.Fatal(err)
	}
	plan, planJSON, err := s.RunPlan(ctx, "run-old")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Run(ctx, "run-old")
	if err != nil {
		t.Fatal(err)
	}
	if string(plan) != "sealed now" || string(planJSON) != "sealed json now" || !r.PlanSealed || r.State != RunPlanned {
		t.Errorf("after SealRunPlan: plan %q, JSON %q, run %+v", plan, planJSON, r)
	}
	if ids, err := s.UnsealedRunPlans(ctx); err != nil || len(ids) != 0 {
		t.Errorf("UnsealedRunPlans after sealing = %q, %v", ids, err)
	}

	for id, want := range map[string]error{"run-old": ErrConflict, "run-new": ErrConflict, "run-queued": ErrConflict, "nope": ErrNotFound} {
		if err := s.SealRunPlan(ctx, id, []byte("x"), []byte("y")); !errors.Is(err, want) {
			t.Errorf("SealRunPlan(%s) = %v, want %v", id, err, want)
		}
	}
	if plan, _, _ := s.RunPlan(ctx, "run-new"); string(plan) != "sealed run-new" {
		t.Errorf("a refused SealRunPlan changed the plan to %q", plan)
	}
	if err := s.SealRunPlan(ctx, "run-old", nil, []byte("y")); err == nil {
		t.Error("SealRunPlan without a plan: no error")
	}
}
