package runs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

// TestStepsRecordTheExecutorsBoundaries: each step is running from the start the executor
// reports until the next step's; the job's end finishes the last, fails it on a failing
// exit, and skips the steps that never ran. With the stage driver, which reports only its
// first step's start, the steps before the last are done without times that would be made
// up.
func TestStepsRecordTheExecutorsBoundaries(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	step := func(name string, pos int, state store.StepState, start, end int) store.RunStep {
		rs := store.RunStep{Step: name, Position: pos, State: state}
		if start >= 0 {
			rs.StartedAt = at(start)
		}
		if end >= 0 {
			rs.FinishedAt = at(end)
		}
		return rs
	}
	tests := []struct {
		name     string
		names    []string
		started  []int
		res      runner.Result
		err      error
		canceled bool
		want     []store.RunStep
	}{
		{"a plan that passes", planSteps, []int{0, 1, 2, 3}, runner.Result{Step: 3}, nil, false, []store.RunStep{
			step(StepPlanInit, 0, store.StepDone, 1, 2),
			step(StepPlanCheck, 1, store.StepDone, 2, 3),
			step(StepPlanPlan, 2, store.StepDone, 3, 5), // its show included
		}},
		{"a check that fails", planSteps, []int{0, 1}, runner.Result{Step: 1, ExitCode: 1}, nil, false, []store.RunStep{
			step(StepPlanInit, 0, store.StepDone, 1, 2),
			step(StepPlanCheck, 1, store.StepFailed, 2, 3),
			step(StepPlanPlan, 2, store.StepSkipped, -1, -1),
		}},
		{"an apply canceled", applySteps, []int{0, 1}, runner.Result{}, context.Canceled, true, []store.RunStep{
			step(StepApplyInit, 3, store.StepDone, 1, 2),
			step(StepApplyApply, 4, store.StepCanceled, 2, 3),
		}},
		{"an executor that never started a step", applySteps, nil, runner.Result{}, runner.ErrDaemonUnavailable, false, []store.RunStep{
			step(StepApplyInit, 3, store.StepSkipped, -1, -1),
			step(StepApplyApply, 4, store.StepSkipped, -1, -1),
		}},
		{"the stage driver, passing", planSteps, []int{0}, runner.Result{Step: 3}, nil, false, []store.RunStep{
			step(StepPlanInit, 0, store.StepDone, 1, -1),
			step(StepPlanCheck, 1, store.StepDone, -1, -1),
			step(StepPlanPlan, 2, store.StepDone, -1, -1),
		}},
		{"the stage driver, seen at the check and the show", planSteps, []int{0, 1, 3}, runner.Result{Step: 3}, nil, false, []store.RunStep{
			step(StepPlanInit, 0, store.StepDone, 1, 2),
			step(StepPlanCheck, 1, store.StepDone, 2, -1), // the plan's start was not seen
			step(StepPlanPlan, 2, store.StepDone, -1, 4),
		}},
		{"the stage driver, saying when each step started", planSteps, []int{0}, runner.Result{Step: 3, Started: []time.Time{at(10), at(11), at(13), at(14)}}, nil, false, []store.RunStep{
			step(StepPlanInit, 0, store.StepDone, 10, 11),
			step(StepPlanCheck, 1, store.StepDone, 11, 13),
			step(StepPlanPlan, 2, store.StepDone, 13, 2), // to the job's end
		}},
		{"the stage driver, failing at the check, saying when", planSteps, []int{0}, runner.Result{Step: 1, ExitCode: 1, Started: []time.Time{at(10), at(11)}}, nil, false, []store.RunStep{
			step(StepPlanInit, 0, store.StepDone, 10, 11),
			step(StepPlanCheck, 1, store.StepFailed, 11, 2),
			step(StepPlanPlan, 2, store.StepSkipped, -1, -1),
		}},
		{"the stage driver, failing at init", planSteps, []int{0}, runner.Result{Step: 0, ExitCode: 1}, nil, false, []store.RunStep{
			step(StepPlanInit, 0, store.StepFailed, 1, 2),
			step(StepPlanCheck, 1, store.StepSkipped, -1, -1),
			step(StepPlanPlan, 2, store.StepSkipped, -1, -1),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]store.RunStep{}
			clock := 0
			st := &steps{names: tt.names, byName: map[string]*store.RunStep{}, current: -1,
				now:    func() time.Time { clock++; return at(clock) },
				record: func(rs store.RunStep) { got[rs.Step] = rs }}
			for _, n := range tt.names {
				if _, ok := st.byName[n]; !ok {
					st.byName[n] = &store.RunStep{Step: n, Position: stepPosition[n], State: store.StepPending}
				}
			}
			for _, i := range tt.started {
				clock++
				st.started(i, at(clock))
			}
			st.end(tt.res, tt.err, tt.canceled)
			var list []store.RunStep
			for _, w := range tt.want {
				list = append(list, got[w.Step])
			}
			if diff := cmp.Diff(tt.want, list); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOutputKeepsTerraformsDiagnostics reads real terraform output: a plan's
// machine-readable error, and init's text, with a boxed warning and a bare error.
func TestOutputKeepsTerraformsDiagnostics(t *testing.T) {
	st, _ := newStore(t)
	hub := NewHub(st, nil)
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name    string
		printed []byte
		want    []store.RunDiagnostic
	}{
		{"plan -json", read("plan-error-ui.jsonl"), []store.RunDiagnostic{{Step: StepPlanPlan, Severity: "error", Summary: "Invalid function argument",
			Detail: `Invalid value for "v" parameter: cannot convert "abc" to number; given string must be a decimal representation of a number.`,
			File:   "main.tf", Line: 2}}},
		{"init's text", read("init-error.txt"), []store.RunDiagnostic{
			{Step: StepPlanInit, Severity: "warning", Summary: "Unable to open CLI configuration file", Detail: `The CLI configuration file at "missing.tfrc" does not exist.`},
			{Step: StepPlanInit, Severity: "error", Summary: "Failed to query available provider packages",
				Detail: "Could not retrieve the list of available versions for provider\nexample.invalid/acme/foo: could not connect to example.invalid: failed to\n" +
					"request discovery document: Get\n\"https://example.invalid/.well-known/terraform.json\": dial tcp: lookup\nexample.invalid on 10.255.255.53:53: no such host"},
		}},
		{"init's boxed error with its source", []byte("╷\n│ Error: Unsupported argument\n│\n│   on main.tf line 3, in resource \"terraform_data\" \"a\":\n│    3:   nope = 1\n│\n│ An argument named \"nope\" is not expected here.\n╵\nInitializing provider plugins...\n"),
			[]store.RunDiagnostic{{Step: StepPlanInit, Severity: "error", Summary: "Unsupported argument", Detail: `An argument named "nope" is not expected here.`, File: "main.tf", Line: 3}}},
		{"a bare warning init goes on after", []byte("Warning: old\n\nuse the new one\nInitializing provider plugins...\nTerraform has been successfully initialized!\n"),
			[]store.RunDiagnostic{{Step: StepPlanInit, Severity: "warning", Summary: "old", Detail: "use the new one"}}},
		{"no diagnostics", read("plan-ui.jsonl"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutput(hub, "run-"+strings.ReplaceAll(tt.name, " ", "-")[:8], nil, nil, nil)
			o.textStep, o.uiStep = StepPlanInit, StepPlanPlan
			o.Write(tt.printed)
			o.Close()
			if diff := cmp.Diff(tt.want, o.seen()); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("a long text diagnostic is cut", func(t *testing.T) {
		o := newOutput(hub, "run-long", nil, nil, nil)
		o.Write([]byte("Error: big\n\n"))
		for range 1000 {
			o.Write([]byte(strings.Repeat("x", 1000) + "\n"))
		}
		o.Close()
		ds := o.seen()
		if len(ds) != 1 || ds[0].Summary != "big" || len(ds[0].Detail) > maxTextDiagnosticBytes {
			t.Errorf("got %d diagnostics, the first with %d bytes of detail", len(ds), len(ds[0].Detail))
		}
	})

	t.Run("at most a run's worth", func(t *testing.T) {
		o := newOutput(hub, "run-many", nil, nil, nil)
		for i := range store.MaxRunDiagnostics + 10 {
			// Each twice: the same diagnostic is kept once.
			for range 2 {
				fmt.Fprintf(o, `{"@level":"warn","@message":"Warning: w","type":"diagnostic","diagnostic":{"severity":"warning","summary":"w%d"}}`+"\n", i)
			}
		}
		if n := len(o.seen()); n != store.MaxRunDiagnostics {
			t.Errorf("kept %d diagnostics, want %d", n, store.MaxRunDiagnostics)
		}
	})
}

// TestServiceKeepsDiagnosticsRedacted: a failed plan's diagnostic is kept with the run, its
// secret redacted as the log's is, and its steps say where it failed.
func TestServiceKeepsDiagnosticsRedacted(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 2)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	f.exec.mu.Lock()
	f.exec.fail[r.ID] = 1
	f.exec.mu.Unlock()
	f.waitStarted(t, r.ID)
	f.exec.gate(r.ID) <- struct{}{}
	f.waitState(t, r.ID, store.RunErrored)
	ds, err := f.store.RunDiagnostics(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.RunDiagnostic{{Step: StepPlanPlan, Severity: "error", Summary: "boom " + Redacted, Detail: "it broke",
		File: "main.tf", Line: 3, Address: "terraform_data.x"}}
	if diff := cmp.Diff(want, ds); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	steps, err := f.store.RunSteps(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The fake executor reports no step boundaries: the job failed at its first step.
	var states []string
	for _, s := range steps {
		states = append(states, s.Step+" "+string(s.State))
	}
	if got := strings.Join(states, ", "); got != "plan.init failed, plan.check skipped, plan.plan skipped" {
		t.Errorf("steps: %s", got)
	}
}

// timelineDoc's terraform_data "bad" has an input terraform's own check refuses.
const timelineDoc = `{"format": 1, "name": "app",
  "resources": [
    {"type": "terraform_data", "name": "good", "config": {"input": {"literal": "hello"}}},
    {"type": "terraform_data", "name": "bad", "config": {"input": {"expr": "tonumber(\"abc\")"}}}
  ]}`

// TestLocalRunTimeline runs real terraform with the local executor against CloudOven's
// own state backend: a blueprint whose field the providers' check refuses fails at the
// check, with its error placed on the field; fixed, it plans and applies, every step done
// with its times in order.
func TestLocalRunTimeline(t *testing.T) {
	bin := testenv.Terraform(t)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bad := seedDeployment(t, st, timelineDoc)
	fixed := strings.Replace(timelineDoc, `{"expr": "tonumber(\"abc\")"}`, `{"literal": 42}`, 1)
	if _, err := st.AddBlueprintVersion(ctx, "team", "app", []byte(fixed), "fixed"); err != nil {
		t.Fatal(err)
	}
	svc := startLocalService(t, st, bin)

	r, err := svc.Plan(ctx, "team", bad, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, st, r.ID, store.RunErrored)
	ds := errorsOf(t, st, r.ID)
	if len(ds) != 1 || ds[0].Step != StepPlanCheck || ds[0].Severity != "error" || ds[0].Path != "resources[terraform_data.bad].input" ||
		!strings.HasSuffix(ds[0].Summary, "Invalid function argument") || !strings.Contains(ds[0].Detail, `cannot convert "abc" to number`) ||
		ds[0].File != "main.tf" || ds[0].Line == 0 {
		t.Errorf("diagnostics %+v, want the check's error on resources[terraform_data.bad].input", ds)
	}
	wantStates(t, st, r.ID, "plan.init done, plan.check failed, plan.plan skipped")

	// The fixed version plans and applies.
	if _, err := st.CreateEnvironment(ctx, "team", "test", []byte(`{"format": 1, "name": "test", "backend": {"type": "http"}}`)); err != nil {
		t.Fatal(err)
	}
	good, err := st.CreateDeployment(ctx, "team", "app", 2, "test", "")
	if err != nil {
		t.Fatal(err)
	}
	r, err = svc.Plan(ctx, "team", good.ID, "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, st, r.ID, store.RunPlanned)
	if _, err := svc.Approve(ctx, r.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	waitState(t, st, r.ID, store.RunApplied)
	steps := wantStates(t, st, r.ID, "plan.init done, plan.check done, plan.plan done, apply.init done, apply.apply done")
	for i, s := range steps {
		if s.StartedAt.IsZero() || s.FinishedAt.Before(s.StartedAt) {
			t.Errorf("step %s from %v to %v", s.Step, s.StartedAt, s.FinishedAt)
		}
		if i > 0 && s.StartedAt.Before(steps[i-1].FinishedAt) {
			t.Errorf("step %s started at %v, before %s finished at %v", s.Step, s.StartedAt, steps[i-1].Step, steps[i-1].FinishedAt)
		}
	}
	if ds := errorsOf(t, st, r.ID); len(ds) != 0 {
		t.Errorf("a clean run kept errors %+v", ds)
	}
}

func wantStates(t *testing.T, st *store.Store, runID, want string) []store.RunStep {
	t.Helper()
	steps, err := st.RunSteps(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, s := range steps {
		states = append(states, s.Step+" "+string(s.State))
	}
	if got := strings.Join(states, ", "); got != want {
		t.Errorf("steps: %s\nwant   %s", got, want)
	}
	return steps
}

// errorsOf is the errors a run kept, without the warnings terraform may print about the
// machine's CLI configuration.
func errorsOf(t *testing.T, st *store.Store, runID string) []store.RunDiagnostic {
	t.Helper()
	ds, err := st.RunDiagnostics(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	var errs []store.RunDiagnostic
	for _, d := range ds {
		if d.Severity == "error" {
			errs = append(errs, d)
		}
	}
	return errs
}
