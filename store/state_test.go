package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newStateDeployment returns a store and a deployment to keep state for.
func newStateDeployment(t *testing.T) (*Store, Deployment) {
	t.Helper()
	s := newDeployable(t)
	d, err := s.CreateDeployment(t.Context(), "payments", "aks", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

func stateVersion(d Deployment, lineage string, serial int64) StateVersion {
	sum := sha256Hex(fmt.Appendf(nil, "%s/%d", lineage, serial))
	return StateVersion{
		DeploymentID: d.ID,
		Serial:       serial,
		Lineage:      lineage,
		SHA256:       sum,
		BlobKey:      "deployments/x/" + sum + ".tfstate",
		Size:         100,
		Outputs: map[string]StateOutput{
			"password": {Sensitive: true, Type: json.RawMessage(`"string"`)},
			"names":    {Type: json.RawMessage(`["list","string"]`)},
		},
		Resources: 2,
		RunID:     "run-1",
	}
}

func TestAddStateVersionNumbersVersions(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	var want []StateVersion
	for _, v := range []StateVersion{stateVersion(d, "a", 1), stateVersion(d, "a", 2), stateVersion(d, "b", 1)} {
		got, err := s.AddStateVersion(ctx, v, "")
		if err != nil {
			t.Fatal(err)
		}
		v.Version, v.CreatedAt = len(want)+1, got.CreatedAt
		if diff := cmp.Diff(v, got); diff != "" {
			t.Errorf("AddStateVersion (-want +got):\n%s", diff)
		}
		want = append([]StateVersion{v}, want...)
	}
	got, err := s.StateVersions(ctx, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("StateVersions (-want +got):\n%s", diff)
	}
	latest, err := s.LatestStateVersion(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[0], latest); diff != "" {
		t.Errorf("LatestStateVersion (-want +got):\n%s", diff)
	}
	for _, w := range want {
		got, err := s.StateVersion(ctx, d.ID, w.Version)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("StateVersion(%d) (-want +got):\n%s", w.Version, diff)
		}
	}
	for _, missing := range []int{0, len(want) + 1} {
		if _, err := s.StateVersion(ctx, d.ID, missing); !errors.Is(err, ErrNotFound) {
			t.Errorf("StateVersion(%d) = %v, want ErrNotFound", missing, err)
		}
	}
	if _, err := s.StateVersion(ctx, d.ID+100, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("StateVersion of another deployment = %v, want ErrNotFound", err)
	}
}

func TestAddStateVersionRefusesOldSerials(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	first, err := s.AddStateVersion(ctx, stateVersion(d, "a", 5), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddStateVersion(ctx, stateVersion(d, "a", 4), ""); !errors.Is(err, ErrConflict) {
		t.Errorf("lower serial: got %v, want ErrConflict", err)
	}
	other := stateVersion(d, "a", 5)
	other.SHA256 = sha256Hex([]byte("other contents"))
	if _, err := s.AddStateVersion(ctx, other, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("same serial, other contents: got %v, want ErrConflict", err)
	}
	again, err := s.AddStateVersion(ctx, stateVersion(d, "a", 5), "")
	if err != nil {
		t.Fatalf("same state again: %v", err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("same state again (-first +again):\n%s", diff)
	}
	if n := count(t, s, "state_versions"); n != 1 {
		t.Errorf("%d state versions stored, want 1", n)
	}
	if _, err := s.AddStateVersion(ctx, StateVersion{DeploymentID: d.ID + 100, SHA256: first.SHA256, BlobKey: "k"}, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing deployment: got %v, want ErrNotFound", err)
	}
}

func TestStateLock(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	lockA := StateLock{ID: "a", RunID: "run-1", Info: []byte(`{"ID":"a","Who":"alice"}`)}
	held, err := s.LockState(ctx, d.ID, lockA)
	if err != nil {
		t.Fatal(err)
	}
	if held.ID != "a" {
		t.Errorf("LockState held %q, want a", held.ID)
	}
	if _, err := s.LockState(ctx, d.ID, lockA); err != nil {
		t.Errorf("locking again with the held id: %v", err)
	}
	held, err = s.LockState(ctx, d.ID, StateLock{ID: "b", Info: []byte(`{"ID":"b"}`)})
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("second lock: got %v, want ErrConflict", err)
	}
	if held.ID != "a" || held.RunID != "run-1" || string(held.Info) != string(lockA.Info) {
		t.Errorf("second lock reports holder %q %s, want a %s", held.ID, held.Info, lockA.Info)
	}

	v := stateVersion(d, "l", 1)
	for _, id := range []string{"", "b"} {
		if _, err := s.AddStateVersion(ctx, v, id); !errors.Is(err, ErrConflict) {
			t.Errorf("writing with lock id %q while a holds the lock: got %v, want ErrConflict", id, err)
		}
	}
	if _, err := s.AddStateVersion(ctx, v, "a"); err != nil {
		t.Errorf("writing as the lock holder: %v", err)
	}
	if _, err := s.UnlockState(ctx, d.ID, StateLock{ID: "b", RunID: "run-1"}); !errors.Is(err, ErrConflict) {
		t.Errorf("unlocking with another id: got %v, want ErrConflict", err)
	}
	if _, err := s.UnlockState(ctx, d.ID, lockA); err != nil {
		t.Errorf("unlocking: %v", err)
	}
	if _, err := s.StateLock(ctx, d.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("StateLock after unlock: got %v, want ErrNotFound", err)
	}
	if _, err := s.AddStateVersion(ctx, stateVersion(d, "l", 2), "a"); !errors.Is(err, ErrConflict) {
		t.Errorf("writing with a lost lock: got %v, want ErrConflict", err)
	}
	if _, err := s.UnlockState(ctx, d.ID, lockA); err != nil {
		t.Errorf("unlocking an unlocked state: %v", err)
	}

	if _, err := s.LockState(ctx, d.ID, StateLock{ID: "c", Info: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	held, ok, err := s.ForceUnlockState(ctx, d.ID)
	if err != nil || !ok || held.ID != "c" {
		t.Errorf("ForceUnlockState = %q, %v, %v; want c, true, nil", held.ID, ok, err)
	}
	if _, ok, err := s.ForceUnlockState(ctx, d.ID); err != nil || ok {
		t.Errorf("ForceUnlockState of an unlocked state = %v, %v; want false, nil", ok, err)
	}
	if _, err := s.LockState(ctx, d.ID, StateLock{ID: "d", Info: []byte(`not json`)}); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("lock info that is not JSON: got %v", err)
	}
}

// A lock is its run's: another run cannot take it over by its ID (which a refused LOCK
// tells anyone), release it, or write under it.
func TestStateLockBelongsToItsRun(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	mine := StateLock{ID: "a", RunID: "run-1", Info: []byte(`{"ID":"a"}`)}
	if _, err := s.LockState(ctx, d.ID, mine); err != nil {
		t.Fatal(err)
	}
	theirs := StateLock{ID: "a", RunID: "run-2", Info: []byte(`{"ID":"a"}`)}
	held, err := s.LockState(ctx, d.ID, theirs)
	if !errors.Is(err, ErrConflict) || held.RunID != "run-1" {
		t.Errorf("another run locking with the held ID: %+v, %v; want run-1's lock and ErrConflict", held, err)
	}
	if _, err := s.UnlockState(ctx, d.ID, theirs); !errors.Is(err, ErrConflict) {
		t.Errorf("another run unlocking the held ID: got %v, want ErrConflict", err)
	}
	v := stateVersion(d, "l", 1)
	v.RunID = "run-2"
	if _, err := s.AddStateVersion(ctx, v, "a"); !errors.Is(err, ErrConflict) {
		t.Errorf("another run writing under the held ID: got %v, want ErrConflict", err)
	}
	if l, err := s.StateLock(ctx, d.ID); err != nil || l.RunID != "run-1" {
		t.Fatalf("after the other run's attempts the lock is %+v, %v; want run-1's", l, err)
	}
	v.RunID = "run-1"
	if _, err := s.AddStateVersion(ctx, v, "a"); err != nil {
		t.Errorf("the holder writing under its lock: %v", err)
	}
	if _, err := s.UnlockState(ctx, d.ID, mine); err != nil {
		t.Errorf("the holder unlocking: %v", err)
	}
	if _, err := s.LockState(ctx, d.ID, StateLock{ID: "x", RunID: strings.Repeat("r", 65), Info: []byte(`{}`)}); err == nil {
		t.Error("a run id over 64 bytes was accepted")
	}
}

func TestBreakStateLock(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	if _, err := s.BreakStateLock(ctx, d.ID, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("breaking the lock of an unlocked state: got %v, want ErrNotFound", err)
	}
	if _, err := s.LockState(ctx, d.ID, StateLock{ID: "b", RunID: "run-2", Info: []byte(`{"ID":"b"}`)}); err != nil {
		t.Fatal(err)
	}
	held, err := s.BreakStateLock(ctx, d.ID, "a")
	if !errors.Is(err, ErrConflict) || held.ID != "b" {
		t.Errorf("breaking lock a while b holds the state: %+v, %v; want b and ErrConflict", held, err)
	}
	if l, err := s.StateLock(ctx, d.ID); err != nil || l.ID != "b" {
		t.Fatalf("a refused break released the lock: %+v, %v", l, err)
	}
	held, err = s.BreakStateLock(ctx, d.ID, "b")
	if err != nil || held.ID != "b" || held.RunID != "run-2" {
		t.Errorf("BreakStateLock = %+v, %v; want run-2's lock b", held, err)
	}
	if _, err := s.StateLock(ctx, d.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the lock is held after it was broken: %v", err)
	}
}
