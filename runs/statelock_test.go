package runs

import (
	"errors"
	"testing"

	"github.com/cloudoven/cloudoven/store"
)

func TestForceUnlock(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 2)
	ctx := t.Context()
	dep := f.deps[0]
	if _, err := f.svc.ForceUnlock(ctx, "payments", dep, "nothing", "otto"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("force-unlocking an unlocked state: got %v, want ErrNotFound", err)
	}
	r, err := f.svc.Plan(ctx, "payments", dep, "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, r.ID)
	// The run's terraform takes the lock, as the state backend records it.
	if _, err := f.store.LockState(ctx, dep, store.StateLock{ID: "tf", RunID: r.ID, Info: []byte(`{"ID":"tf"}`)}); err != nil {
		t.Fatal(err)
	}
	var inUse *LockInUseError
	if _, err := f.svc.ForceUnlock(ctx, "payments", dep, "tf", "otto"); !errors.As(err, &inUse) || inUse.RunID != r.ID || !errors.Is(err, store.ErrConflict) {
		t.Errorf("force-unlocking the lock of an executing run: got %v, want a LockInUseError of run %s", err, r.ID)
	}
	if _, err := f.svc.ForceUnlock(ctx, "other-project", dep, "tf", "otto"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("force-unlocking through another project: got %v, want ErrNotFound", err)
	}
	f.exec.gate(r.ID) <- struct{}{}
	f.waitState(t, r.ID, store.RunPlanned)

	if _, err := f.svc.ForceUnlock(ctx, "payments", dep, "older", "otto"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("force-unlocking a lock that is not the one held: got %v, want ErrConflict", err)
	}
	held, err := f.svc.ForceUnlock(ctx, "payments", dep, "tf", "otto")
	if err != nil || held.ID != "tf" || held.RunID != r.ID {
		t.Fatalf("ForceUnlock = %+v, %v; want lock tf of run %s", held, err, r.ID)
	}
	if _, err := f.store.StateLock(ctx, dep); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the state is still locked: %v", err)
	}
}
