package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newRunnable returns a store with deployment "aks" to "dev" in project
// "payments", and that deployment's id.
func newRunnable(t *testing.T) (*Store, int64) {
	t.Helper()
	s := newDeployable(t)
	d, err := s.CreateDeployment(t.Context(), "payments", "aks", 2, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	return s, d.ID
}

func createRun(t *testing.T, s *Store, deploymentID int64, id string) Run {
	t.Helper()
	r, err := s.CreateRun(t.Context(), Run{ID: id, DeploymentID: deploymentID, Operation: RunOpPlan, BlueprintVersion: 2, CreatedBy: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCreateRun(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	r := createRun(t, s, dep, "run-1")
	want := Run{ID: "run-1", DeploymentID: dep, Project: "payments", Operation: RunOpPlan, State: RunQueued, BlueprintVersion: 2,
		CreatedBy: "ada", CreatedAt: r.CreatedAt}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("CreateRun (-want +got):\n%s", diff)
	}
	got, err := s.Run(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Run (-want +got):\n%s", diff)
	}
}

func TestCreateRunRefuses(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	createRun(t, s, dep, "run-1")
	tests := []struct {
		name string
		run  Run
		want error
	}{
		{"taken id", Run{ID: "run-1", DeploymentID: dep, Operation: RunOpPlan}, ErrConflict},
		{"missing deployment", Run{ID: "run-2", DeploymentID: dep + 100, Operation: RunOpPlan}, ErrNotFound},
		{"empty id", Run{DeploymentID: dep, Operation: RunOpPlan}, ErrInvalidName},
		{"uppercase id", Run{ID: "Run-2", DeploymentID: dep, Operation: RunOpPlan}, ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.CreateRun(t.Context(), tt.run); !errors.Is(err, tt.want) {
				t.Errorf("CreateRun: %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := s.CreateRun(t.Context(), Run{ID: "run-3", DeploymentID: dep, Operation: "deploy"}); err == nil {
		t.Error("CreateRun with operation deploy: no error")
	}
}

func TestRunLifecycle(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	steps := []RunTransition{
		{To: RunRunning},
		{To: RunPlanned, Plan: []byte("sealed plan"), PlanJSON: []byte("sealed plan JSON"), Summary: []byte(`{"add":1}`), PlanSealed: true},
		{To: RunApproved, By: "bob"},
		{To: RunApplying},
		{To: RunApplied},
	}
	var r Run
	for _, tr := range steps {
		var err error
		if r, err = s.TransitionRun(ctx, "run-1", tr); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Run(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("Run differs from what TransitionRun returned (-returned +read):\n%s", diff)
	}
	if got.State != RunApplied || got.ApprovedBy != "bob" || string(got.Summary) != `{"add":1}` {
		t.Errorf("run = %+v, want applied, approved by bob, with its summary", got)
	}
	if got.StartedAt.IsZero() || !got.FinishedAt.After(got.StartedAt) || !got.StartedAt.After(got.CreatedAt) {
		t.Errorf("times created %v, started %v, finished %v: want increasing", got.CreatedAt, got.StartedAt, got.FinishedAt)
	}
	plan, planJSON, err := s.RunPlan(ctx, "run-1")
	if err != nil {
		t.Fatal(err)
	}
	if string(plan) != "sealed plan" || string(planJSON) != "sealed plan JSON" || !got.PlanSealed {
		t.Errorf("RunPlan = %q, %q; sealed %v", plan, planJSON, got.PlanSealed)
	}
}

func TestTransitionRunChecksState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path []RunState // from queued, all allowed
		to   RunState
		ok   bool
	}{
		{"queued to planned skips running", nil, RunPlanned, false},
		{"queued to canceled", nil, RunCanceled, true},
		{"running to approved skips planned", []RunState{RunRunning}, RunApproved, false},
		{"planned to discarded", []RunState{RunRunning, RunPlanned}, RunDiscarded, true},
		{"planned not interrupted", []RunState{RunRunning, RunPlanned}, RunInterrupted, false},
		{"discarded is final", []RunState{RunRunning, RunPlanned, RunDiscarded}, RunApproved, false},
		{"applied is final", []RunState{RunRunning, RunPlanned, RunApproved, RunApplying, RunApplied}, RunCanceled, false},
		{"errored is final", []RunState{RunRunning, RunErrored}, RunRunning, false},
		{"applying to errored", []RunState{RunRunning, RunPlanned, RunApproved, RunApplying}, RunErrored, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, dep := newRunnable(t)
			ctx := t.Context()
			createRun(t, s, dep, "run-1")
			for _, st := range tt.path {
				tr := RunTransition{To: st}
				if st == RunPlanned {
					tr.Plan, tr.PlanJSON, tr.Summary, tr.PlanSealed = []byte("p"), []byte("{}"), []byte("{}"), true
				}
				if _, err := s.TransitionRun(ctx, "run-1", tr); err != nil {
					t.Fatal(err)
				}
			}
			before, err := s.Run(ctx, "run-1")
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.TransitionRun(ctx, "run-1", RunTransition{To: tt.to, By: "bob", Error: "boom",
				Plan: []byte("p"), PlanJSON: []byte("{}"), Summary: []byte("{}"), PlanSealed: true})
			if tt.ok {
				if err != nil {
					t.Fatalf("TransitionRun to %s: %v", tt.to, err)
				}
				return
			}
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("TransitionRun to %s: %v, want ErrConflict", tt.to, err)
			}
			after, err := s.Run(ctx, "run-1")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("refused transition changed the run (-before +after):\n%s", diff)
			}
		})
	}
}

func TestTransitionRunOneWinnerOfARace(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	for _, tr := range []RunTransition{{To: RunRunning}, {To: RunPlanned, Plan: []byte("p"), PlanJSON: []byte("{}"), Summary: []byte("{}"), PlanSealed: true}} {
		if _, err := s.TransitionRun(ctx, "run-1", tr); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			to := RunApproved
			if i%2 == 1 {
				to = RunDiscarded
			}
			_, errs[i] = s.TransitionRun(ctx, "run-1", RunTransition{To: to, By: fmt.Sprint("user", i)})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrConflict):
			t.Errorf("loser got %v, want ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d transitions won, want 1", won)
	}
}

func TestTransitionRunPlannedNeedsPlan(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	if _, err := s.TransitionRun(ctx, "run-1", RunTransition{To: RunRunning}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionRun(ctx, "run-1", RunTransition{To: RunPlanned}); err == nil {
		t.Error("planned without a plan: no error")
	}
	// A saved plan holds the run's secrets: the store keeps none in the clear.
	_, err := s.TransitionRun(ctx, "run-1", RunTransition{To: RunPlanned, Plan: []byte("PK\x03\x04"), PlanJSON: []byte("{}"), Summary: []byte("{}")})
	if err == nil || !strings.Contains(err.Error(), "sealed") {
		t.Errorf("planned with a plan not sealed: %v, want an error saying it must be sealed", err)
	}
	if r, _ := s.Run(ctx, "run-1"); r.State != RunRunning {
		t.Errorf("after the refused move the run is %s", r.State)
	}
	if _, err := s.TransitionRun(ctx, "nope", RunTransition{To: RunRunning}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing run: %v, want ErrNotFound", err)
	}
}

func TestDeploymentRunsNewestFirst(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	other, err := s.CreateDeployment(ctx, "payments", "aks", 2, "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"run-a", "run-b", "run-c"} {
		createRun(t, s, dep, id)
	}
	createRun(t, s, other.ID, "run-other")
	ids := func(rs []Run) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	all, err := s.DeploymentRuns(ctx, dep, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"run-c", "run-b", "run-a"}, ids(all)); diff != "" {
		t.Errorf("DeploymentRuns (-want +got):\n%s", diff)
	}
	two, err := s.DeploymentRuns(ctx, dep, 2)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"run-c", "run-b"}, ids(two)); diff != "" {
		t.Errorf("DeploymentRuns limit 2 (-want +got):\n%s", diff)
	}
}

func TestReapRunsAll(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	paths := map[string][]RunState{
		"run-queued":   nil,
		"run-running":  {RunRunning},
		"run-planned":  {RunRunning, RunPlanned},
		"run-approved": {RunRunning, RunPlanned, RunApproved},
		"run-applying": {RunRunning, RunPlanned, RunApproved, RunApplying},
		"run-applied":  {RunRunning, RunPlanned, RunApproved, RunApplying, RunApplied},
	}
	for _, id := range []string{"run-queued", "run-running", "run-planned", "run-approved", "run-applying", "run-applied"} {
		createRun(t, s, dep, id)
		for _, st := range paths[id] {
			tr := RunTransition{To: st}
			if st == RunPlanned {
				tr.Plan, tr.PlanJSON, tr.Summary, tr.PlanSealed = []byte("p"), []byte("{}"), []byte("{}"), true
			}
			if _, err := s.TransitionRun(ctx, id, tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.AppendRunLog(ctx, "run-running", []RunLogLine{{1, "Initializing..."}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReapRuns(ctx, "the server restarted", true)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
		if r.State != RunInterrupted || r.Error != "the server restarted" || r.FinishedAt.IsZero() {
			t.Errorf("returned %+v, want interrupted with the reason and a finish time", r)
		}
	}
	// Queued and approved runs wait in the store for any server to take them.
	if diff := cmp.Diff([]string{"run-running", "run-applying"}, ids); diff != "" {
		t.Errorf("interrupted runs (-want +got):\n%s", diff)
	}
	for id, want := range map[string]RunState{"run-planned": RunPlanned, "run-applied": RunApplied, "run-running": RunInterrupted,
		"run-queued": RunQueued, "run-approved": RunApproved} {
		r, err := s.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != want {
			t.Errorf("%s is %s, want %s", id, r.State, want)
		}
	}
	lines, err := s.RunLog(ctx, "run-running", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 {
		t.Errorf("interrupted run's log has %d lines, want 1 kept", len(lines))
	}
	planned, err := s.RunsInState(ctx, RunPlanned)
	if err != nil {
		t.Fatal(err)
	}
	if len(planned) != 1 || planned[0].ID != "run-planned" {
		t.Errorf("RunsInState(planned) = %+v, want run-planned", planned)
	}
}

func TestRunLog(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	if err := s.AppendRunLog(ctx, "run-1", []RunLogLine{{1, "one"}, {2, "two"}, {3, ""}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendRunLog(ctx, "run-1", []RunLogLine{{4, "four"}, {2, "again"}}); !errors.Is(err, ErrConflict) {
		t.Errorf("repeated seq: %v, want ErrConflict", err)
	}
	if err := s.AppendRunLog(ctx, "nope", []RunLogLine{{1, "x"}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing run: %v, want ErrNotFound", err)
	}
	got, err := s.RunLog(ctx, "run-1", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]RunLogLine{{2, "two"}, {3, ""}}, got); diff != "" {
		t.Errorf("RunLog after 1 (-want +got):\n%s (a refused batch must store nothing)", diff)
	}
	got, err = s.RunLog(ctx, "run-1", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]RunLogLine{{1, "one"}}, got); diff != "" {
		t.Errorf("RunLog limit 1 (-want +got):\n%s", diff)
	}
	for text, want := range map[string]int{"two": 2, "": 3, "three": 0} {
		if seq, err := s.RunLogSeqOf(ctx, "run-1", text); err != nil || seq != want {
			t.Errorf("RunLogSeqOf(%q) = %d, %v; want %d", text, seq, err, want)
		}
	}
	last, err := s.LastRunLogSeq(ctx, "run-1")
	if err != nil || last != 3 {
		t.Errorf("LastRunLogSeq = %d, %v; want 3", last, err)
	}
}

func TestRunsGoWithTheirDeployment(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	if err := s.AppendRunLog(ctx, "run-1", []RunLogLine{{1, "one"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM deployments WHERE id = ?`, dep); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "runs") + count(t, s, "run_log_lines"); n != 0 {
		t.Errorf("%d run rows left after deleting the deployment", n)
	}
}

func TestTransitionRunDiscardedKeepsTheSummary(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	r := createRun(t, s, dep, "run-1")
	ctx := t.Context()
	if _, err := s.TransitionRun(ctx, r.ID, RunTransition{To: RunRunning}); err != nil {
		t.Fatal(err)
	}
	sum := []byte(`{"add":0,"change":0,"destroy":0,"replace":0}`)
	got, err := s.TransitionRun(ctx, r.ID, RunTransition{To: RunDiscarded, Summary: sum, Plan: []byte("ignored")})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.Run(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Summary) != string(sum) || string(stored.Summary) != string(sum) || stored.CanceledBy != "" || stored.FinishedAt.IsZero() {
		t.Errorf("discarded run %+v, stored %+v", got, stored)
	}
	if plan, _, err := s.RunPlan(ctx, r.ID); err != nil || plan != nil {
		t.Errorf("a discarded run stored a plan of %d bytes (%v)", len(plan), err)
	}
}

// TestRunLogKeepsLinesTextCannotHold: a line with a NUL or invalid UTF-8 (terraform prints
// what providers give it) is stored rather than failing the run's log. SQLite keeps its
// bytes; PostgreSQL's text cannot hold them, so it keeps U+FFFD in their place.
func TestRunLogKeepsLinesTextCannotHold(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	line := "bad \xff byte and a nul \x00 here"
	if err := s.AppendRunLog(ctx, "run-1", []RunLogLine{{1, line}}); err != nil {
		t.Fatal(err)
	}
	want := line
	if testDialect == "postgres" {
		want = "bad \uFFFD byte and a nul \uFFFD here"
	}
	got, err := s.RunLog(ctx, "run-1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]RunLogLine{{1, want}}, got); diff != "" {
		t.Errorf("RunLog (-want +got):\n%s", diff)
	}
}
