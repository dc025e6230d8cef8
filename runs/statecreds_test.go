package runs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

// probeExecutor plays terraform, and a hostile provider beside it, against CloudOven's real
// state backend with the credentials each stage really gets (TF_HTTP_ADDRESS,
// TF_HTTP_USERNAME and TF_HTTP_PASSWORD in the job's environment), recording what the
// backend answered to each request. Then the fake executor prints the stage's output.
type probeExecutor struct {
	inner        *fakeExecutor
	store        *store.Store
	deploymentID int64

	mu      sync.Mutex
	serial  int64
	answers map[string]map[string]any // by stage, then by request
	written map[string]int            // state versions each run wrote as its terraform would
	creds   map[string][2]string      // the last credentials of each stage
}

const probeLineage = "8d6c1d5e-probe-lineage"

func (p *probeExecutor) nextState() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.serial++
	return fmt.Appendf(nil, `{"version":4,"terraform_version":"1.5.7","serial":%d,"lineage":%q,"outputs":{},"resources":[]}`,
		p.serial, probeLineage)
}

func probeLockInfo(id string) []byte {
	return fmt.Appendf(nil, `{"ID":%q,"Operation":"OperationTypePlan","Info":"","Who":"cloudoven@container","Version":"1.5.7","Created":"2026-01-02T03:04:05Z","Path":""}`, id)
}

func (p *probeExecutor) Run(ctx context.Context, job runner.Job, out io.Writer) (runner.Result, error) {
	stage := "apply"
	if slices.Contains(job.Collect, planFile) {
		stage = "plan"
		if destroys(job.Steps) {
			stage = "destroy plan"
		}
	} else if p.inner.jobsOf(job.RunID) != nil && destroys(p.inner.jobsOf(job.RunID)[0].Steps) {
		stage = "destroy apply"
	}
	addr, user, pass := job.Env["TF_HTTP_ADDRESS"], job.Env["TF_HTTP_USERNAME"], job.Env["TF_HTTP_PASSWORD"]
	do := func(method, query string, body []byte) int {
		r, err := http.NewRequestWithContext(ctx, method, addr+query, bytes.NewReader(body))
		if err != nil {
			panic(err)
		}
		r.SetBasicAuth(user, pass)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			return -1
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	got := map[string]any{}
	own := "tf-own-" + job.RunID
	get := do("GET", "", nil)
	got["GET reads the state (204 before the first write)"] = get == http.StatusOK || get == http.StatusNoContent
	got["LOCK, state unlocked"] = do("LOCK", "", probeLockInfo(own))
	status := do("POST", "?ID="+own, p.nextState())
	got["POST under its own lock"] = status
	if status == http.StatusOK {
		p.mu.Lock()
		p.written[job.RunID]++
		p.mu.Unlock()
	}
	got["DELETE under its own lock"] = do("DELETE", "?ID="+own, nil)
	got["UNLOCK without a body (force-unlock)"] = do("UNLOCK", "", nil)
	got["UNLOCK its own lock"] = do("UNLOCK", "", probeLockInfo(own))
	got["POST without a lock"] = do("POST", "", p.nextState())

	// A lock someone else holds: its ID is no secret (a refused LOCK answers it).
	const foreign = "held-elsewhere"
	if _, err := p.store.LockState(ctx, p.deploymentID, store.StateLock{ID: foreign, Info: probeLockInfo(foreign)}); err != nil {
		return runner.Result{}, err
	}
	got["LOCK with the ID of another's lock"] = do("LOCK", "", probeLockInfo(foreign))
	got["POST under another's lock"] = do("POST", "?ID="+foreign, p.nextState())
	got["UNLOCK another's lock"] = do("UNLOCK", "", probeLockInfo(foreign))
	got["UNLOCK without a body, another's lock"] = do("UNLOCK", "", nil)
	got["DELETE under another's lock"] = do("DELETE", "?ID="+foreign, nil)
	held, ok, err := p.store.ForceUnlockState(context.WithoutCancel(ctx), p.deploymentID)
	if err != nil {
		return runner.Result{}, err
	}
	got["another's lock survived"] = ok && held.ID == foreign

	// Terraform picks its lock IDs at random: a made-up one is as good while the state is free.
	got["LOCK with a made-up ID, state unlocked"] = do("LOCK", "", probeLockInfo("made-up"))
	got["UNLOCK the made-up lock it took"] = do("UNLOCK", "", probeLockInfo("made-up"))

	p.mu.Lock()
	p.answers[stage] = got
	p.creds[stage] = [2]string{user, pass}
	p.mu.Unlock()
	return p.inner.Run(ctx, job, out)
}

// TestRunCredentialsAreScopedToTheStage runs a plan, its apply, a destroy plan and its apply
// against CloudOven's state backend (real HTTP server, real store, the StoreAuthorizer the
// server runs with) and sends, with the credentials each stage gets, what terraform sends
// and what a hostile provider could: a plan reads and takes and releases its own lock; an apply also writes,
// under its own lock; no run deletes state or force-unlocks, or touches another's lock.
func TestRunCredentialsAreScopedToTheStage(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	ctx := t.Context()
	st, deps := newStore(t)
	blobs := state.NewDirStore(filepath.Join(t.TempDir(), "blobs"))
	authz := state.NewStoreAuthorizer(st, 0)
	srv := httptest.NewServer(state.NewServer(st, blobs, authz, nil))
	t.Cleanup(srv.Close)
	exec := &probeExecutor{inner: newFakeExecutor(false), store: st, deploymentID: deps[0],
		answers: map[string]map[string]any{}, written: map[string]int{}, creds: map[string][2]string{}}
	svc := New(Options{Sealer: newSealer(t), Store: st, Executor: exec, Hub: NewHub(st, nil), Authorizer: authz, StateURL: srv.URL,
		Prepare: func(context.Context, string, int64) (Prepared, error) { return Prepared{}, nil }})
	sctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st}
	var runIDs []string
	for _, destroy := range []bool{false, true} {
		r, err := svc.Plan(ctx, "payments", deps[0], "ada", destroy)
		if err != nil {
			t.Fatal(err)
		}
		f.waitState(t, r.ID, store.RunPlanned)
		if _, err := svc.Approve(ctx, r.ID, "bob"); err != nil {
			t.Fatal(err)
		}
		f.waitState(t, r.ID, store.RunApplied)
		runIDs = append(runIDs, r.ID)
	}

	plan := map[string]any{
		"GET reads the state (204 before the first write)": true,
		"LOCK, state unlocked":                             http.StatusOK,
		"POST under its own lock":                          http.StatusForbidden,
		"DELETE under its own lock":                        http.StatusForbidden,
		"UNLOCK without a body (force-unlock)":             http.StatusForbidden,
		"UNLOCK its own lock":                              http.StatusOK,
		"POST without a lock":                              http.StatusForbidden,
		"LOCK with the ID of another's lock":               http.StatusLocked,
		"POST under another's lock":                        http.StatusForbidden,
		"UNLOCK another's lock":                            http.StatusConflict,
		"UNLOCK without a body, another's lock":            http.StatusForbidden,
		"DELETE under another's lock":                      http.StatusForbidden,
		"another's lock survived":                          true,
		"LOCK with a made-up ID, state unlocked":           http.StatusOK,
		"UNLOCK the made-up lock it took":                  http.StatusOK,
	}
	apply := maps.Clone(plan)
	apply["POST under its own lock"] = http.StatusOK
	apply["POST without a lock"] = http.StatusConflict
	apply["POST under another's lock"] = http.StatusConflict
	want := map[string]map[string]any{"plan": plan, "apply": apply, "destroy plan": plan, "destroy apply": apply}
	if diff := cmp.Diff(want, exec.answers); diff != "" {
		t.Errorf("what the state backend answered each stage's credentials (-want +got):\n%s", diff)
	}

	// The state versions are exactly what the applies wrote, each with its blob.
	versions, err := st.StateVersions(ctx, deps[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	byRun := map[string]int{}
	for _, v := range versions {
		byRun[v.RunID]++
		if _, err := blobs.Get(ctx, v.BlobKey); err != nil {
			t.Errorf("state version %d: %v", v.Version, err)
		}
	}
	if diff := cmp.Diff(map[string]int{runIDs[0]: 1, runIDs[1]: 1}, byRun); diff != "" {
		t.Errorf("state versions by run (-want +got):\n%s", diff)
	}
	if len(versions) == 0 || versions[len(versions)-1].Version != 1 {
		t.Errorf("the state's history does not start at version 1 (was it deleted?): %d versions", len(versions))
	}

	// Every stage's credentials end with it.
	for stage, c := range exec.creds {
		r, _ := http.NewRequestWithContext(ctx, "GET", state.Address(srv.URL, "payments", deps[0]), nil)
		r.SetBasicAuth(c[0], c[1])
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("the %s stage's credentials still answer %d after the stage", stage, res.StatusCode)
		}
	}
}

// destroys says whether a plan stage's steps plan a destroy.
func destroys(steps [][]string) bool {
	return slices.ContainsFunc(steps, func(s []string) bool { return slices.Contains(s, "-destroy") })
}
