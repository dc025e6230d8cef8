package runs

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

func TestServicePlanApproveApply(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.RunQueued || r.Operation != store.RunOpPlan || r.CreatedBy != "ada" {
		t.Errorf("Plan returned %+v", r)
	}
	planned := f.waitState(t, r.ID, store.RunPlanned)
	if !strings.Contains(string(planned.Summary), `"add":2`) {
		t.Errorf("summary %s", planned.Summary)
	}
	stored, storedJSON, err := f.store.RunPlan(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !planned.PlanSealed || bytes.Contains(stored, []byte("# lock")) || bytes.Contains(storedJSON, []byte(`"format_version"`)) {
		t.Errorf("stored plan %d bytes, plan JSON %.40q, sealed %v: want them sealed", len(stored), storedJSON, planned.PlanSealed)
	}
	plan, planJSON, err := f.svc.savedPlan(ctx, planned)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plan, fixturePlanFile) || !bytes.HasPrefix(planJSON, []byte(`{"format_version"`)) {
		t.Errorf("opened plan %d bytes, plan JSON %.40q", len(plan), planJSON)
	}
	if p, ok := f.svc.Progress(r.ID); !ok || !p.Complete || p.Total != 5 {
		t.Errorf("plan progress %+v, %v", p, ok)
	}

	if _, err := f.svc.Approve(ctx, r.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	applied := f.waitState(t, r.ID, store.RunApplied)
	if applied.ApprovedBy != "bob" || applied.FinishedAt.IsZero() {
		t.Errorf("applied run %+v", applied)
	}
	jobs := f.exec.jobsOf(r.ID)
	if len(jobs) != 2 {
		t.Fatalf("%d jobs, want plan and apply", len(jobs))
	}
	pj, aj := jobs[0], jobs[1]
	if got := pj.Steps; len(got) != 4 || got[0][0] != "init" || !slices.Equal(got[1], []string{"validate", "-json", "-no-color"}) ||
		!slices.Contains(got[2], "-out=tfplan") || got[3][0] != "show" || pj.StdoutFiles[1] != validateFile {
		t.Errorf("plan steps %q", got)
	}
	if !slices.Equal(pj.Collect, []string{"tfplan", validateFile, ".terraform.lock.hcl"}) || pj.Env["TF_HTTP_PASSWORD"] != "state-password-"+r.ID ||
		pj.Env["TF_HTTP_ADDRESS"] != "http://cloudoven.test/api/v1/state/payments/"+strconv.FormatInt(f.deps[0], 10) || pj.Env["ARM_CLIENT_SECRET"] != secret {
		t.Errorf("plan job collect %q env %q", pj.Collect, pj.Env)
	}
	if got := aj.Steps; len(got) != 2 || !slices.Equal(got[1], []string{"apply", "-input=false", "-json", "tfplan"}) {
		t.Errorf("apply steps %q", got)
	}
	if !bytes.Equal(aj.Extra["tfplan"], fixturePlanFile) || string(aj.Extra[".terraform.lock.hcl"]) != "# lock\n" {
		t.Errorf("apply job extra files %q", slices.Collect(mapKeys(aj.Extra)))
	}
	f.auth.mu.Lock()
	if want := []state.Scope{state.ScopePlan, state.ScopeApply}; !slices.Equal(f.auth.issued[r.ID], want) || f.auth.revoked[r.ID] != 2 {
		t.Errorf("credentials issued with scopes %v, revoked %d times; want %v, revoked 2 times", f.auth.issued[r.ID], f.auth.revoked[r.ID], want)
	}
	f.auth.mu.Unlock()
	log := f.log(t, r.ID)
	for _, want := range []string{"Initializing the backend...", "Plan: 2 to add, 1 to change, 2 to destroy.",
		"Apply complete! Resources: 2 added, 1 changed, 2 destroyed."} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, `"@level"`) || strings.Contains(log, "format_version") {
		t.Errorf("log holds raw JSON:\n%s", log)
	}
	// A finished run cannot be approved again.
	if _, err := f.svc.Approve(ctx, r.ID, "bob"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("approving an applied run: %v, want ErrConflict", err)
	}
}

func mapKeys(m map[string][]byte) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestServiceCancel(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 1)
	ctx := t.Context()
	running, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	queued, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := f.svc.Plan(ctx, "payments", f.deps[1], "ada", false) // waits for the global slot
	if err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, running.ID)

	// Canceling the queued one leaves the executing one alone.
	if r, err := f.svc.Cancel(ctx, queued.ID, "carol"); err != nil || r.State != store.RunCanceled || r.CanceledBy != "carol" {
		t.Fatalf("Cancel queued: %+v, %v", r, err)
	}
	if r, err := f.svc.Cancel(ctx, waiting.ID, "carol"); err != nil || r.State != store.RunCanceled {
		t.Fatalf("Cancel waiting: %+v, %v", r, err)
	}
	r, err := f.svc.Cancel(ctx, running.ID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.RunCanceled || r.CanceledBy != "carol" {
		t.Errorf("Cancel running returned %+v", r)
	}
	if log := f.log(t, running.ID); !strings.Contains(log, "Interrupt received.") || !strings.Contains(log, "canceled by carol") {
		t.Errorf("log:\n%s", log)
	}
	if _, err := f.svc.Cancel(ctx, running.ID, "carol"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("canceling a canceled run: %v, want ErrConflict", err)
	}

	// The deployment and the slot are free: a new run plans, and a
	// planned run can be canceled too.
	next, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, next.ID)
	f.exec.gate(next.ID) <- struct{}{}
	f.waitState(t, next.ID, store.RunPlanned)
	if r, err := f.svc.Cancel(ctx, next.ID, "carol"); err != nil || r.State != store.RunCanceled {
		t.Fatalf("Cancel planned: %+v, %v", r, err)
	}
	if _, err := f.svc.Approve(ctx, next.ID, "bob"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("approving a canceled run: %v, want ErrConflict", err)
	}
	if _, err := f.svc.Cancel(ctx, "run-nope", "carol"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("canceling an unknown run: %v, want ErrNotFound", err)
	}
}

func TestServiceStartMarksInterrupted(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	s, deps := newStore(t)
	ctx := t.Context()
	// What a previous process left: a run half-way through its plan, with
	// some log, and a planned run waiting for approval.
	newRun(t, s, deps[0], "run-left")
	if _, err := s.TransitionRun(ctx, "run-left", store.RunTransition{To: store.RunRunning}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendRunLog(ctx, "run-left", []store.RunLogLine{{Seq: 1, Text: "Initializing..."}}); err != nil {
		t.Fatal(err)
	}
	newRun(t, s, deps[1], "run-planned")
	sealer := newSealer(t)
	plan, planJSON, err := sealPlan(sealer, "run-planned", fixturePlanFile, fixtureShow)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []store.RunTransition{{To: store.RunRunning},
		{To: store.RunPlanned, Plan: plan, PlanJSON: planJSON, Summary: []byte(`{}`), PlanSealed: true}} {
		if _, err := s.TransitionRun(ctx, "run-planned", tr); err != nil {
			t.Fatal(err)
		}
	}
	// The left-over run's terraform held the deployment's state lock when it died.
	if _, err := s.LockState(ctx, deps[0], store.StateLock{ID: "lock-of-the-dead", Info: []byte(`{"ID":"lock-of-the-dead"}`)}); err != nil {
		t.Fatal(err)
	}
	exec := newFakeExecutor(false)
	svc := New(Options{Store: s, Executor: exec, Hub: NewHub(s, nil), Sealer: sealer, Exclusive: true,
		Prepare: func(context.Context, string, int64) (Prepared, error) {
			return Prepared{}, nil
		}})
	sctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); svc.Wait() }()
	if err := svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StateLock(ctx, deps[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the dead run's state lock is still held: %v", err)
	}
	r, err := s.Run(ctx, "run-left")
	if err != nil {
		t.Fatal(err)
	}
	if r.State != store.RunInterrupted || r.Error == "" {
		t.Errorf("left-over run %+v, want interrupted with a reason", r)
	}
	ls, err := s.RunLog(ctx, "run-left", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3 || ls[0].Text != "Initializing..." || !strings.Contains(ls[1].Text, "stopped while the run was in flight") ||
		!strings.Contains(ls[2].Text, "released the state lock lock-of-the-dead") {
		t.Errorf("log after restart %+v", ls)
	}
	if exec.orphans != 1 {
		t.Errorf("RemoveOrphans called %d times, want 1", exec.orphans)
	}
	// One server owns every run on its database: whatever the executor still holds of
	// the interrupted run was left by the previous process.
	if exec.orphansKept == nil || exec.orphansKept("run-left") || exec.orphansKept("run-never-was") {
		t.Errorf("RemoveOrphans keeps the interrupted run's containers, or a missing run's, want it to keep none")
	}
	// An executor that does not answer must not hold up the start.
	if d := exec.orphansDeadline; d.IsZero() || d.After(time.Now().Add(orphanSweepTimeout)) {
		t.Errorf("RemoveOrphans ran with deadline %v, want one at most %s away", d, orphanSweepTimeout)
	}
	// The planned run survived and holds its deployment: a new plan waits
	// until it is applied.
	queued, err := svc.Plan(ctx, "payments", deps[1], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Approve(ctx, "run-planned", "bob"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, exec: exec}
	f.waitState(t, "run-planned", store.RunApplied)
	f.waitState(t, queued.ID, store.RunPlanned)
	if jobs := exec.jobsOf("run-planned"); len(jobs) != 1 || !bytes.Equal(jobs[0].Extra["tfplan"], fixturePlanFile) {
		t.Errorf("the apply after the restart did not get the saved plan")
	}
}

func TestServiceShutdownInterrupts(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	s, deps := newStore(t)
	exec := newFakeExecutor(true)
	svc := New(Options{Store: s, Executor: exec, Hub: NewHub(s, nil), Sealer: newSealer(t),
		Prepare: func(context.Context, string, int64) (Prepared, error) {
			return Prepared{}, nil
		}})
	sctx, cancel := context.WithCancel(context.Background())
	if err := svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	r, err := svc.Plan(t.Context(), "payments", deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, exec: exec}
	f.waitStarted(t, r.ID)
	cancel()
	svc.Wait()
	if got := f.waitState(t, r.ID, store.RunInterrupted); got.Error == "" {
		t.Error("interrupted run has no reason")
	}
}

func TestServicePlanRefuses(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 1)
	if _, err := f.svc.Plan(t.Context(), "payments", 999, "ada", false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("planning a missing deployment: %v, want ErrNotFound", err)
	}
	if _, err := f.svc.Plan(t.Context(), "other", f.deps[0], "ada", false); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("planning in a missing project: %v, want ErrNotFound", err)
	}
	unstarted := New(Options{Store: f.store, Executor: f.exec, Hub: f.hub})
	if _, err := unstarted.Plan(t.Context(), "payments", f.deps[0], "ada", false); err == nil {
		t.Error("Plan before Start: no error")
	}
	// Without a Sealer, saved plans would be stored in the clear: no start.
	if err := unstarted.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "Sealer") {
		t.Errorf("Start without a Sealer: %v, want an error naming it", err)
	}
}

// The store is what the Service and the Hub need.
var (
	_ Store    = (*store.Store)(nil)
	_ LogStore = (*store.Store)(nil)
)

// TestServiceStateCredentialsNotStored: a stage whose state credentials could not be
// stored (Issue failed) never starts terraform, and the run errors saying why.
func TestServiceStateCredentialsNotStored(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 1)
	f.auth.issueErr = errors.New("issuing state credentials: the database is gone")
	r, err := f.svc.Plan(t.Context(), "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	errored := f.waitState(t, r.ID, store.RunErrored)
	if !strings.Contains(errored.Error, "the database is gone") {
		t.Errorf("run error %q, want it to say why the credentials were not issued", errored.Error)
	}
	if jobs := f.exec.jobsOf(r.ID); len(jobs) != 0 {
		t.Errorf("%d jobs ran without stored credentials", len(jobs))
	}
}
