package state

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// What each scope of credentials may do with a deployment's state; the
// protocol itself is server_test.go's.

// What a plan's credentials may do: read, and take and release their own
// lock; never write.
func TestPlanCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.write(t, tfstate("l", 1))
	plan := f.as("run-2", ScopePlan)
	wantStatus(t, "GET", plan.do(t, "GET", f.path, nil), http.StatusOK)
	wantStatus(t, "LOCK", plan.do(t, "LOCK", f.path, lockInfo("p")), http.StatusOK)
	wantStatus(t, "POST under its lock", plan.do(t, "POST", f.path+"?ID=p", tfstate("l", 2)), http.StatusForbidden)
	wantStatus(t, "UNLOCK", plan.do(t, "UNLOCK", f.path, lockInfo("p")), http.StatusOK)
	if vs, err := f.store.StateVersions(t.Context(), f.deployment.ID, 0); err != nil || len(vs) != 1 {
		t.Errorf("%d state versions (err %v) after a plan's POST; want the 1 written before", len(vs), err)
	}
}

// Credentials issued without a scope may do nothing.
func TestCredentialsWithoutScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	none := f.as("run-2", 0)
	for _, method := range []string{"GET", "LOCK", "UNLOCK", "POST", "DELETE"} {
		wantStatus(t, method, none.do(t, method, f.path+"?ID=x", lockInfo("x")), http.StatusForbidden)
	}
}

// A lock is the run's that took it: another run's credentials cannot take
// it over with its ID (which a refused LOCK answers to anyone), release it
// or write under it.
func TestLockBelongsToItsRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	held := lockInfo("first")
	wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, held), http.StatusOK)
	for _, scope := range []Scope{ScopePlan, ScopeApply} {
		other := f.as("run-2-"+scope.String(), scope)
		w := other.do(t, "LOCK", f.path, held)
		wantStatus(t, scope.String()+": LOCK with the holder's ID", w, http.StatusLocked)
		if w.Body.String() != string(held) {
			t.Errorf("%s: 423 body = %s, want the holder's lock info", scope, w.Body)
		}
		wantStatus(t, scope.String()+": UNLOCK the holder's ID", other.do(t, "UNLOCK", f.path, held), http.StatusConflict)
	}
	wantStatus(t, "apply: POST under the holder's ID", f.as("run-3", ScopeApply).do(t, "POST", f.path+"?ID=first", tfstate("l", 1)), http.StatusConflict)
	if l, err := f.store.StateLock(t.Context(), f.deployment.ID); err != nil || l.RunID != "run-1" || l.ID != "first" {
		t.Fatalf("the lock is %+v, %v; want run-1's lock first", l, err)
	}
	if vs, _ := f.store.StateVersions(t.Context(), f.deployment.ID, 0); len(vs) != 0 {
		t.Errorf("%d state versions written under another run's lock", len(vs))
	}
	wantStatus(t, "UNLOCK by the holder", f.do(t, "UNLOCK", f.path, held), http.StatusOK)
}

// terraform force-unlock (UNLOCK without a body) is an operator's action on
// the deployment page, not a run's.
func TestForceUnlockIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, lockInfo("stuck")), http.StatusOK)
	for _, c := range []*fixture{f, f.as("run-2", ScopePlan), f.as("run-3", ScopeApply)} {
		wantStatus(t, "UNLOCK without body", c.do(t, "UNLOCK", f.path, nil), http.StatusForbidden)
	}
	if l, err := f.store.StateLock(t.Context(), f.deployment.ID); err != nil || l.ID != "stuck" {
		t.Errorf("the lock is %+v, %v after refused force-unlocks; want stuck", l, err)
	}
}

func TestDeleteIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	f.write(t, tfstate("l", 1))
	v, err := f.store.LatestStateVersion(ctx, f.deployment.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, lockInfo("mine")), http.StatusOK)
	for _, target := range []string{f.path, f.path + "?ID=mine"} {
		for _, c := range []*fixture{f, f.as("run-2", ScopePlan)} {
			wantStatus(t, "DELETE "+target, c.do(t, "DELETE", target, nil), http.StatusForbidden)
		}
	}
	wantStatus(t, "GET after DELETE", f.do(t, "GET", f.path, nil), http.StatusOK)
	if _, err := f.blobs.Get(ctx, v.BlobKey); err != nil {
		t.Errorf("the blob is gone after a refused DELETE: %v", err)
	}
}

func TestParseLockInfo(t *testing.T) {
	t.Parallel()
	got := ParseLockInfo(lockInfo("abc"))
	want := LockInfo{ID: "abc", Operation: "OperationTypeApply", Who: "someone@host", Version: "1.5.7",
		Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseLockInfo (-want +got):\n%s", diff)
	}
	if got.OperationName() != "apply" {
		t.Errorf("OperationName = %q, want apply", got.OperationName())
	}
	for _, info := range []string{`not json`, `{"ID": 5}`, `[]`} {
		if got := ParseLockInfo([]byte(info)); got != (LockInfo{}) {
			t.Errorf("ParseLockInfo(%s) = %+v, want nothing", info, got)
		}
	}
}
