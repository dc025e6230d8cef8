package runs

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

const secret = "hunter2-very-secret"

// fakeExecutor plays terraform: a plan stage prints a few lines (with the
// secret split across writes) and the fixture plan JSON and saves a plan
// file; an apply stage prints the fixture apply output. With gated set,
// each job waits for a release (or its cancel) before finishing.
type fakeExecutor struct {
	gated bool

	mu         sync.Mutex
	jobs       []runner.Job
	running    map[string]bool
	maxRunning int
	release    map[string]chan struct{}
	started    chan string
	fail       map[string]int // exit codes by run id
	orphans    int
}

func newFakeExecutor(gated bool) *fakeExecutor {
	return &fakeExecutor{gated: gated, running: map[string]bool{}, release: map[string]chan struct{}{},
		started: make(chan string, 100), fail: map[string]int{}}
}

func (f *fakeExecutor) RemoveOrphans(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orphans++
	return 0, nil
}

func (f *fakeExecutor) gate(runID string) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, ok := f.release[runID]
	if !ok {
		ch = make(chan struct{}, 10)
		f.release[runID] = ch
	}
	return ch
}

func (f *fakeExecutor) Run(ctx context.Context, job runner.Job, out io.Writer) (runner.Result, error) {
	f.mu.Lock()
	f.jobs = append(f.jobs, job)
	f.running[job.RunID] = true
	n := 0
	for _, r := range f.running {
		if r {
			n++
		}
	}
	f.maxRunning = max(f.maxRunning, n)
	code := f.fail[job.RunID]
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running[job.RunID] = false
		f.mu.Unlock()
	}()
	f.started <- job.RunID
	apply := job.Steps[len(job.Steps)-1][0] == "apply"
	if !apply {
		io.WriteString(out, "Initializing the backend...\nusing token hunter2-ve")
		io.WriteString(out, "ry-secret now\n")
	}
	if f.gated {
		select {
		case <-f.gate(job.RunID):
		case <-ctx.Done():
			io.WriteString(out, "Interrupt received.\n")
			return runner.Result{}, ctx.Err()
		}
	}
	if code != 0 {
		io.WriteString(out, `{"@level":"error","@message":"Error: boom `+secret+`","type":"diagnostic","diagnostic":{"severity":"error","summary":"boom","detail":"it broke"}}`+"\n")
		return runner.Result{ExitCode: code}, nil
	}
	if apply {
		out.Write(fixtureApplyUI)
		return runner.Result{}, nil
	}
	out.Write(fixturePlanUI)
	out.Write(fixtureShow)
	return runner.Result{Files: map[string][]byte{"tfplan": fixturePlanFile}}, nil
}

func (f *fakeExecutor) jobsOf(runID string) []runner.Job {
	f.mu.Lock()
	defer f.mu.Unlock()
	var js []runner.Job
	for _, j := range f.jobs {
		if j.RunID == runID {
			js = append(js, j)
		}
	}
	return js
}

var fixturePlanUI, fixtureApplyUI, fixtureShow, fixturePlanFile []byte

func init() {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("tfplan")
	w.Write([]byte("plan"))
	w, _ = zw.Create(".terraform.lock.hcl")
	w.Write([]byte("# lock\n"))
	zw.Close()
	fixturePlanFile = buf.Bytes()
}

func loadFixtures(t *testing.T) {
	t.Helper()
	fixturesOnce.Do(func() {
		fixturePlanUI = readFixture(t, "plan-ui.jsonl")
		fixtureApplyUI = readFixture(t, "apply-ui.jsonl")
		fixtureShow = readFixture(t, "plan-show.json")
	})
}

var fixturesOnce sync.Once

type fakeAuthorizer struct {
	mu      sync.Mutex
	issued  map[string]int
	revoked map[string]int
}

func (a *fakeAuthorizer) Issue(project string, deploymentID int64, runID string) (string, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.issued[runID]++
	return "run", "state-password-" + runID
}

func (a *fakeAuthorizer) Revoke(runID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.revoked[runID]++
}

type fixture struct {
	store *store.Store
	deps  []int64
	exec  *fakeExecutor
	auth  *fakeAuthorizer
	svc   *Service
	hub   *Hub
}

func newService(t *testing.T, gated bool, limit int) *fixture {
	t.Helper()
	loadFixtures(t)
	s, deps := newStore(t)
	f := &fixture{store: s, deps: deps, exec: newFakeExecutor(gated),
		auth: &fakeAuthorizer{issued: map[string]int{}, revoked: map[string]int{}}, hub: NewHub(s, nil)}
	f.svc = New(Options{Store: s, Executor: f.exec, Hub: f.hub, GlobalConcurrency: limit, Authorizer: f.auth,
		StateURL: "http://cloudoven.test/",
		Prepare: func(ctx context.Context, project string, deploymentID int64) (Prepared, error) {
			return Prepared{Files: map[string][]byte{"main.tf": []byte(`resource "terraform_data" "a" {}`)},
				Env: map[string]string{"ARM_CLIENT_SECRET": secret}, Secrets: []string{secret}}, nil
		}})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		f.svc.Wait()
	})
	if err := f.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

// waitState waits until the run is in state.
func (f *fixture) waitState(t *testing.T, id string, state store.RunState) store.Run {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(20 * time.Second)
	for {
		r, err := f.store.Run(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if r.State == state {
			return r
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("run %s is %s, want %s (error %q)", id, r.State, state, r.Error)
		}
	}
}

// waitStarted waits for the next jobs to start, which must be those of
// ids, in any order.
func (f *fixture) waitStarted(t *testing.T, ids ...string) {
	t.Helper()
	var got []string
	for range ids {
		select {
		case id := <-f.exec.started:
			got = append(got, id)
		case <-time.After(20 * time.Second):
			t.Fatalf("runs %q did not start; started %q", ids, got)
		}
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(ids))
	if !slices.Equal(got, want) {
		t.Fatalf("started %q, want %q", got, want)
	}
}

func (f *fixture) log(t *testing.T, id string) string {
	t.Helper()
	ls, err := f.store.RunLog(t.Context(), id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

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
	plan, planJSON, err := f.store.RunPlan(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plan, fixturePlanFile) || !bytes.HasPrefix(planJSON, []byte(`{"format_version"`)) {
		t.Errorf("stored plan %d bytes, plan JSON %.40q", len(plan), planJSON)
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
	if got := pj.Steps; len(got) != 3 || got[0][0] != "init" || !slices.Contains(got[1], "-out=tfplan") || got[2][0] != "show" {
		t.Errorf("plan steps %q", got)
	}
	if !slices.Equal(pj.Collect, []string{"tfplan"}) || pj.Env["TF_HTTP_PASSWORD"] != "state-password-"+r.ID ||
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
	if f.auth.issued[r.ID] != 2 || f.auth.revoked[r.ID] != 2 {
		t.Errorf("credentials issued %d, revoked %d times; want 2 and 2", f.auth.issued[r.ID], f.auth.revoked[r.ID])
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

func TestServiceRedactsSecrets(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunPlanned)
	log := f.log(t, r.ID)
	if strings.Contains(log, "hunter2") || !strings.Contains(log, "using token [redacted] now") {
		t.Errorf("log:\n%s", log)
	}

	if _, err := f.svc.Discard(ctx, r.ID, "ada"); err != nil {
		t.Fatal(err)
	}
	r2, err := f.svc.Plan(ctx, "payments", f.deps[1], "ada", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{r.ID} {
		_, planJSON, err := f.store.RunPlan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(planJSON, []byte(secret)) {
			t.Error("plan JSON holds the secret")
		}
	}
	f.waitState(t, r2.ID, store.RunPlanned)
	if jobs := f.exec.jobsOf(r2.ID); !slices.Contains(jobs[0].Steps[1], "-destroy") {
		t.Errorf("destroy plan steps %q", jobs[0].Steps)
	}
}

func TestServiceErroredRunIsRedacted(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 2)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.exec.mu.Lock()
	f.exec.fail[r.ID] = 1
	f.exec.mu.Unlock()
	f.waitStarted(t, r.ID)
	f.exec.gate(r.ID) <- struct{}{}
	errored := f.waitState(t, r.ID, store.RunErrored)
	if !strings.Contains(errored.Error, "exited with code 1") {
		t.Errorf("error %q", errored.Error)
	}
	log := f.log(t, r.ID)
	if strings.Contains(log, "hunter2") || !strings.Contains(log, "Error: boom [redacted]") || !strings.Contains(log, "it broke") {
		t.Errorf("log:\n%s", log)
	}
	// The deployment is free again.
	r2, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, r2.ID)
	f.exec.gate(r2.ID) <- struct{}{}
	f.waitState(t, r2.ID, store.RunPlanned)
}

func TestServiceOneActiveRunPerDeployment(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 5)
	ctx := t.Context()
	var ids []string
	for range 3 {
		r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	f.waitStarted(t, ids[0])
	f.exec.gate(ids[0]) <- struct{}{}
	f.waitState(t, ids[0], store.RunPlanned)
	// A planned run keeps the deployment: the next waits.
	for _, id := range ids[1:] {
		if r := f.waitState(t, id, store.RunQueued); !r.StartedAt.IsZero() {
			t.Errorf("%s started while %s is planned", id, ids[0])
		}
	}
	if _, err := f.svc.Discard(ctx, ids[0], "ada"); err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, ids[1])
	if r := f.waitState(t, ids[2], store.RunQueued); !r.StartedAt.IsZero() {
		t.Errorf("%s started while %s runs", ids[2], ids[1])
	}
	f.exec.gate(ids[1]) <- struct{}{}
	f.waitState(t, ids[1], store.RunPlanned)
	if _, err := f.svc.Approve(ctx, ids[1], "bob"); err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, ids[1])
	f.exec.gate(ids[1]) <- struct{}{}
	f.waitState(t, ids[1], store.RunApplied)
	f.waitStarted(t, ids[2]) // in order
	f.exec.gate(ids[2]) <- struct{}{}
	f.waitState(t, ids[2], store.RunPlanned)
}

func TestServiceGlobalLimit(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 2)
	ctx := t.Context()
	var ids []string
	for _, d := range f.deps {
		r, err := f.svc.Plan(ctx, "payments", d, "ada", false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	f.waitStarted(t, ids[0], ids[1])
	if r := f.waitState(t, ids[2], store.RunQueued); !r.StartedAt.IsZero() {
		t.Error("a third run started over the limit of 2")
	}
	f.exec.gate(ids[1]) <- struct{}{}
	f.waitStarted(t, ids[2])
	f.exec.gate(ids[0]) <- struct{}{}
	f.exec.gate(ids[2]) <- struct{}{}
	for _, id := range ids {
		f.waitState(t, id, store.RunPlanned)
	}
	f.exec.mu.Lock()
	defer f.exec.mu.Unlock()
	if f.exec.maxRunning != 2 {
		t.Errorf("at most %d jobs ran at once, want 2", f.exec.maxRunning)
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
	for _, tr := range []store.RunTransition{{To: store.RunRunning},
		{To: store.RunPlanned, Plan: fixturePlanFile, PlanJSON: fixtureShow, Summary: []byte(`{}`)}} {
		if _, err := s.TransitionRun(ctx, "run-planned", tr); err != nil {
			t.Fatal(err)
		}
	}
	// The left-over run's terraform held the deployment's state lock when it died.
	if _, err := s.LockState(ctx, deps[0], store.StateLock{ID: "lock-of-the-dead", Info: []byte(`{"ID":"lock-of-the-dead"}`)}); err != nil {
		t.Fatal(err)
	}
	exec := newFakeExecutor(false)
	svc := New(Options{Store: s, Executor: exec, Hub: NewHub(s, nil),
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
}

func TestServiceJobsUseTheEnvironmentsRunner(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	s, deps := newStore(t)
	// deps[0]'s environment names its own image and network mode, deps[1]'s
	// only a network mode, deps[2]'s nothing.
	prepared := map[int64]Prepared{
		deps[0]: {Image: "registry.example.com/terraform:1.9.8", NetworkMode: "none"},
		deps[1]: {NetworkMode: "bridge"},
		deps[2]: {},
	}
	exec := newFakeExecutor(false)
	svc := New(Options{Store: s, Executor: exec, Hub: NewHub(s, nil), Image: "cloudoven/terraform:server", NetworkMode: "host",
		Prepare: func(_ context.Context, _ string, deploymentID int64) (Prepared, error) {
			return prepared[deploymentID], nil
		}})
	sctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); svc.Wait() }()
	if err := svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, exec: exec}
	tests := []struct {
		name                 string
		deployment           int64
		wantImage, wantNetwk string
	}{
		{"environment's image and network mode", deps[0], "registry.example.com/terraform:1.9.8", "none"},
		{"environment's network mode, server's image", deps[1], "cloudoven/terraform:server", "bridge"},
		{"server's image and network mode", deps[2], "cloudoven/terraform:server", "host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			r, err := svc.Plan(ctx, "payments", tt.deployment, "ada", false)
			if err != nil {
				t.Fatal(err)
			}
			f.waitState(t, r.ID, store.RunPlanned)
			if _, err := svc.Approve(ctx, r.ID, "bob"); err != nil {
				t.Fatal(err)
			}
			f.waitState(t, r.ID, store.RunApplied)
			jobs := exec.jobsOf(r.ID)
			if len(jobs) != 2 {
				t.Fatalf("%d jobs, want plan and apply", len(jobs))
			}
			for _, j := range jobs {
				if j.Image != tt.wantImage || j.NetworkMode != tt.wantNetwk {
					t.Errorf("%s job: image %q network mode %q, want %q %q", j.Steps[len(j.Steps)-1][0], j.Image, j.NetworkMode, tt.wantImage, tt.wantNetwk)
				}
			}
		})
	}
}

func TestServiceShutdownInterrupts(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	s, deps := newStore(t)
	exec := newFakeExecutor(true)
	svc := New(Options{Store: s, Executor: exec, Hub: NewHub(s, nil),
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
}

// The store is what the Service and the Hub need.
var (
	_ Store    = (*store.Store)(nil)
	_ LogStore = (*store.Store)(nil)
)
