package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
	lockA := StateLock{ID: "a", Info: []byte(`{"ID":"a","Who":"alice"}`)}
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
	if held.ID != "a" || string(held.Info) != string(lockA.Info) {
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
	if _, err := s.UnlockState(ctx, d.ID, "b"); !errors.Is(err, ErrConflict) {
		t.Errorf("unlocking with another id: got %v, want ErrConflict", err)
	}
	if _, err := s.UnlockState(ctx, d.ID, "a"); err != nil {
		t.Errorf("unlocking: %v", err)
	}
	if _, err := s.StateLock(ctx, d.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("StateLock after unlock: got %v, want ErrNotFound", err)
	}
	if _, err := s.AddStateVersion(ctx, stateVersion(d, "l", 2), "a"); !errors.Is(err, ErrConflict) {
		t.Errorf("writing with a lost lock: got %v, want ErrConflict", err)
	}
	if _, err := s.UnlockState(ctx, d.ID, "a"); err != nil {
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

func TestDeleteStateVersions(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	var want []string
	for serial := int64(1); serial <= 2; serial++ {
		v, err := s.AddStateVersion(ctx, stateVersion(d, "a", serial), "")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, v.BlobKey)
	}
	keys, err := s.DeleteStateVersions(ctx, d.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, keys, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("DeleteStateVersions keys (-want +got):\n%s", diff)
	}
	if _, err := s.LatestStateVersion(ctx, d.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("LatestStateVersion after delete: got %v, want ErrNotFound", err)
	}
}
