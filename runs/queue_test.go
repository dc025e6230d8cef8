package runs

import (
	"testing"

	"github.com/cloudoven/cloudoven/store"
)

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
