package runs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/store"
)

// newStore opens a real store holding project "payments" with deployments
// of blueprint "app" to environments "dev", "test" and "prod"; it returns
// their ids in that order.
func newStore(t *testing.T) (*store.Store, []int64) {
	t.Helper()
	return newStoreAt(t, filepath.Join(t.TempDir(), "cloudoven.db"))
}

// newStoreAt is newStore on the database at path (a file or a postgres://
// URL).
func newStoreAt(t *testing.T, path string) (*store.Store, []int64) {
	t.Helper()
	ctx := t.Context()
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.CreateProject(ctx, "payments", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateBlueprint(ctx, "payments", "app", "", []byte(`{"format":1}`), ""); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, env := range []string{"dev", "test", "prod"} {
		if _, err := s.CreateEnvironment(ctx, "payments", env, nil); err != nil {
			t.Fatal(err)
		}
		d, err := s.CreateDeployment(ctx, "payments", "app", 1, env, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	return s, ids
}

func newRun(t *testing.T, s *store.Store, deployment int64, id string) {
	t.Helper()
	if _, err := s.CreateRun(t.Context(), store.Run{ID: id, DeploymentID: deployment, Operation: store.RunOpPlan, BlueprintVersion: 1}); err != nil {
		t.Fatal(err)
	}
}

// collect reads ch until it closes, failing after a while.
func collect(t *testing.T, ch <-chan Line) []Line {
	t.Helper()
	var got []Line
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-ch:
			if !ok {
				return got
			}
			got = append(got, l)
		case <-timeout:
			t.Fatalf("stream did not close; got %d lines", len(got))
		}
	}
}

// checkLines checks that got is exactly lines from+1..to of text(i).
func checkLines(got []Line, from, to int) error {
	if len(got) != to-from {
		return fmt.Errorf("got %d lines, want %d (after %d up to %d)", len(got), to-from, from, to)
	}
	for i, l := range got {
		if want := (Line{Seq: from + 1 + i, Text: text(from + 1 + i)}); l != want {
			return fmt.Errorf("line %d is %+v, want %+v", i, l, want)
		}
	}
	return nil
}

func text(seq int) string { return fmt.Sprintf("line %d", seq) }

func TestHubReplaysThenFollows(t *testing.T) {
	t.Parallel()
	s, deps := newStore(t)
	ctx := t.Context()
	newRun(t, s, deps[0], "run-1")
	h := NewHub(s, nil)
	if err := h.Open(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		h.Append("run-1", text(i))
	}
	ch, err := h.Subscribe(ctx, "run-1", 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := 11; i <= 20; i++ {
		h.Append("run-1", text(i))
	}
	if err := h.Close(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	if err := checkLines(collect(t, ch), 4, 20); err != nil {
		t.Error(err)
	}
	// After the stage, a follower gets the stored lines and the end.
	ch, err = h.Subscribe(ctx, "run-1", 18)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkLines(collect(t, ch), 18, 20); err != nil {
		t.Error(err)
	}
	// The next stage continues the numbering.
	h.Append("run-1", text(21))
	if err := h.Close(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	stored, err := s.RunLog(ctx, "run-1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 21 || stored[20].Seq != 21 {
		t.Errorf("stored %d lines, last %+v; want 21", len(stored), stored[len(stored)-1])
	}
}

func TestHubSubscribeUnknownRun(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	h := NewHub(s, nil)
	if _, err := h.Subscribe(t.Context(), "run-nope", 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Subscribe: %v, want ErrNotFound", err)
	}
}

// TestHubConcurrentFollowers appends from several goroutines while
// followers join at every point with every kind of afterSeq, some reading
// slowly: each gets exactly the lines after its afterSeq, in order, and
// every line it got was already stored.
func TestHubConcurrentFollowers(t *testing.T) {
	t.Parallel()
	s, deps := newStore(t)
	ctx := t.Context()
	newRun(t, s, deps[0], "run-1")
	h := NewHub(s, nil)
	if err := h.Open(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	const total = 3000
	// Appends are serialised by the writer goroutine below so the text of
	// each Seq is known; followers and the store's writer race it.
	appended := make(chan int, total)
	go func() {
		for i := 1; i <= total; i++ {
			h.Append("run-1", text(i))
			appended <- i
		}
		close(appended)
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	joined := 0
	for n := range appended {
		if n%97 != 0 && n != 1 {
			continue
		}
		joined++
		after := (n * 7) % (n + 1) // somewhere at or before the current end
		slow := joined%3 == 0
		ch, err := h.Subscribe(ctx, "run-1", after)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			var got []Line
			for l := range ch {
				if slow && l.Seq%500 == 0 {
					// A slow reader: the writer must not wait for it.
					time.Sleep(time.Millisecond)
				}
				if len(got) < 5 {
					stored, err := s.RunLog(context.Background(), "run-1", l.Seq-1, 1)
					if err != nil || len(stored) != 1 || stored[0].Seq != l.Seq {
						errs <- fmt.Errorf("line %d reached a follower before it was stored", l.Seq)
					}
				}
				got = append(got, l)
			}
			if err := checkLines(got, after, total); err != nil {
				errs <- fmt.Errorf("follower after %d: %w", after, err)
			}
		})
	}
	// One more follower joins while Close is under way.
	late, err := h.Subscribe(ctx, "run-1", total-10)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	if err := checkLines(collect(t, late), total-10, total); err != nil {
		t.Error(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if joined < 20 {
		t.Fatalf("only %d followers joined", joined)
	}
}

func TestHubFollowerFarBehindReadsTheStore(t *testing.T) {
	t.Parallel()
	s, deps := newStore(t)
	ctx := t.Context()
	newRun(t, s, deps[0], "run-1")
	h := NewHub(s, nil)
	if err := h.Open(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	total := recentLines*2 + 5
	for i := 1; i <= total; i++ {
		h.Append("run-1", text(i))
	}
	if err := h.Close(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	ch, err := h.Subscribe(ctx, "run-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkLines(collect(t, ch), 0, total); err != nil {
		t.Error(err)
	}
}

func TestHubFollowerStopsWithContext(t *testing.T) {
	t.Parallel()
	s, deps := newStore(t)
	newRun(t, s, deps[0], "run-1")
	h := NewHub(s, nil)
	if err := h.Open(t.Context(), "run-1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := h.Subscribe(ctx, "run-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	h.Append("run-1", text(1))
	if l := <-ch; l.Seq != 1 {
		t.Fatalf("got %+v", l)
	}
	cancel()
	collect(t, ch) // closes
	h.Close(t.Context(), "run-1")
}

func TestHubSplitsLongLines(t *testing.T) {
	t.Parallel()
	s, deps := newStore(t)
	ctx := t.Context()
	newRun(t, s, deps[0], "run-1")
	h := NewHub(s, nil)
	long := make([]byte, store.MaxRunLogLineBytes+10)
	for i := range long {
		long[i] = 'x'
	}
	h.Append("run-1", string(long))
	if err := h.Close(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	got, err := s.RunLog(ctx, "run-1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0].Text) != store.MaxRunLogLineBytes || len(got[1].Text) != 10 {
		t.Errorf("stored %d lines", len(got))
	}
}
