// The fixture the Service's tests share: a Service over a real store, a fake executor that
// plays terraform, and a fake authorizer that counts the credentials it hands out.

package runs

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/state"
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
	// orphansKept is the keep func RemoveOrphans was last called with.
	orphansKept func(runID string) bool
	// orphansDeadline is the deadline of the context RemoveOrphans was last called with.
	orphansDeadline time.Time
	// show, when set, is what a plan stage's show step prints instead of the fixture's.
	show []byte
	// early, when set, is what a plan stage prints before its gate (terraform's UI lines,
	// for a progress the stage reports while it waits).
	early []byte
	// lockOut, when set, is the lock file a plan stage's terraform leaves in the workspace,
	// given the job (nil: none).
	lockOut func(job runner.Job) []byte
}

func newFakeExecutor(gated bool) *fakeExecutor {
	return &fakeExecutor{gated: gated, running: map[string]bool{}, release: map[string]chan struct{}{},
		started: make(chan string, 100), fail: map[string]int{}}
}

func (f *fakeExecutor) RemoveOrphans(ctx context.Context, keep func(runID string) bool) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orphans++
	f.orphansKept = keep
	f.orphansDeadline, _ = ctx.Deadline()
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
		f.mu.Lock()
		early := f.early
		f.mu.Unlock()
		out.Write(early)
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
		io.WriteString(out, `{"@level":"error","@message":"Error: boom `+secret+`","type":"diagnostic","diagnostic":{"severity":"error","summary":"boom `+secret+`","detail":"it broke","address":"terraform_data.x","range":{"filename":"main.tf","start":{"line":3}}}}`+"\n")
		return runner.Result{ExitCode: code}, nil
	}
	if apply {
		out.Write(fixtureApplyUI)
		return runner.Result{}, nil
	}
	out.Write(fixturePlanUI)
	f.mu.Lock()
	show := f.show
	if show == nil {
		show = fixtureShow
	}
	f.mu.Unlock()
	out.Write(show)
	files := map[string][]byte{"tfplan": fixturePlanFile}
	if f.lockOut != nil {
		if lock := f.lockOut(job); lock != nil {
			files[".terraform.lock.hcl"] = lock
		}
	}
	return runner.Result{Files: files}, nil
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
	issued  map[string][]state.Scope // the scope of each credential issued, in order
	revoked map[string]int
	// issueErr, when set, is what Issue fails with, as a store that cannot be written.
	issueErr error
}

func (a *fakeAuthorizer) Issue(_ context.Context, project string, deploymentID int64, runID string, scope state.Scope) (string, string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.issueErr != nil {
		return "", "", a.issueErr
	}
	a.issued[runID] = append(a.issued[runID], scope)
	return "run", "state-password-" + runID, nil
}

func (a *fakeAuthorizer) Revoke(_ context.Context, runID string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.revoked[runID]++
	return nil
}

// newSealer is the Sealer of the tests' Services: the one CloudOven runs with, a
// secrets.Box, under a fresh key.
func newSealer(t testing.TB) *secrets.Box {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

type fixture struct {
	store *store.Store
	// sealer seals the saved plans of svc.
	sealer Sealer
	deps   []int64
	exec   *fakeExecutor
	auth   *fakeAuthorizer
	svc    *Service
	hub    *Hub
}

func newService(t *testing.T, gated bool, limit int) *fixture {
	t.Helper()
	loadFixtures(t)
	s, deps := newStore(t)
	f := &fixture{store: s, deps: deps, exec: newFakeExecutor(gated), sealer: newSealer(t),
		auth: &fakeAuthorizer{issued: map[string][]state.Scope{}, revoked: map[string]int{}}, hub: NewHub(s, nil)}
	f.svc = New(Options{Store: s, Executor: f.exec, Hub: f.hub, GlobalConcurrency: limit, Authorizer: f.auth, Sealer: f.sealer,
		StateURL: "http://cloudoven.test/", Locks: s,
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
