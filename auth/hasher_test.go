package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestHasherBoundsConcurrentHashes(t *testing.T) {
	t.Parallel()
	p := Params{Memory: 1024, Time: 1, Threads: 1} // 1 MiB each
	h := NewHasher(3 << 20)                        // room for three at once
	encoded, err := h.Hash(context.Background(), "correct horse", p)
	if err != nil {
		t.Fatal(err)
	}
	// Hold the budget as three hashes would, then check a fourth waits and gets ErrBusy.
	var held []func()
	for range 3 {
		release, err := h.acquire(context.Background(), p.Memory)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, release)
	}
	h.maxWait = 50 * time.Millisecond
	start := time.Now()
	if _, err := h.Verify(context.Background(), encoded, "correct horse"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Verify with the budget taken: %v, want ErrBusy", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("gave up after %s, before maxWait", d)
	}
	held[0]()
	if ok, err := h.Verify(context.Background(), encoded, "correct horse"); !ok || err != nil {
		t.Fatalf("Verify with room: %v, %v", ok, err)
	}
	for _, release := range held[1:] {
		release()
	}

	// Many at once: never more than three run together.
	h.maxWait = time.Minute
	var running, most atomic.Int64
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := h.acquire(context.Background(), p.Memory)
			if err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			release()
		}()
	}
	wg.Wait()
	if m := most.Load(); m > 3 {
		t.Errorf("%d hashes held the budget at once, want at most 3", m)
	}
}

func TestHasherCostlierThanBudgetRunsAlone(t *testing.T) {
	t.Parallel()
	h := NewHasher(1 << 20)
	encoded, err := h.Hash(context.Background(), "correct horse", Params{Memory: 4096, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(context.Background(), encoded, "correct horse"); !ok || err != nil {
		t.Fatalf("a hash over the budget: %v, %v", ok, err)
	}
}

func TestHasherQueueIsBounded(t *testing.T) {
	t.Parallel()
	h := NewHasher(1 << 20)
	release, err := h.acquire(context.Background(), 1024)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	h.waiting.Store(h.maxWaiting)
	start := time.Now()
	if _, err := h.acquire(context.Background(), 1024); !errors.Is(err, ErrBusy) || time.Since(start) > time.Second {
		t.Errorf("with a full queue: %v after %s, want ErrBusy at once", err, time.Since(start))
	}
	h.waiting.Store(0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.acquire(ctx, 1024); !errors.Is(err, context.Canceled) {
		t.Errorf("with a canceled request: %v", err)
	}
}
