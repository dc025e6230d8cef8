package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// receive returns the next payload on ch, failing the test when none comes
// for a long while; ok is false when ch closed.
func receive(t *testing.T, ch <-chan string) (payload string, ok bool) {
	t.Helper()
	select {
	case p, ok := <-ch:
		return p, ok
	case <-time.After(30 * time.Second):
		t.Fatal("no notification")
		return "", false
	}
}

// receiveUntil reads ch up to and including want, returning what came.
func receiveUntil(t *testing.T, ch <-chan string, want string) []string {
	t.Helper()
	var got []string
	for {
		p, ok := receive(t, ch)
		if !ok {
			t.Fatalf("listener closed before %q; got %q", want, got)
		}
		got = append(got, p)
		if p == want {
			return got
		}
	}
}

func listen(t *testing.T, s *Store, channel string) <-chan string {
	t.Helper()
	ch, err := s.Listen(t.Context(), channel)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestNotifyReachesListenersOfItsChannel(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	a1, a2, b := listen(t, s, "a"), listen(t, s, "a"), listen(t, s, "b")
	for _, n := range []struct{ channel, payload string }{{"a", "one"}, {"b", "two"}, {"a", ""}, {"a", "three"}} {
		if err := s.Notify(ctx, n.channel, n.payload); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"one", "", "three"}
	for _, ch := range []<-chan string{a1, a2} {
		if diff := cmp.Diff(want, receiveUntil(t, ch, "three")); diff != "" {
			t.Errorf("channel a (-want +got):\n%s", diff)
		}
	}
	if p, _ := receive(t, b); p != "two" {
		t.Errorf("channel b got %q first, want %q", p, "two")
	}
}

func TestNotifyRefusesBadInput(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tests := []struct {
		name, channel, payload string
		want                   error
	}{
		{"empty channel", "", "x", ErrInvalidName},
		{"uppercase channel", "Runs", "x", ErrInvalidName},
		{"quote in channel", `a"b`, "x", ErrInvalidName},
		{"channel starting with a digit", "1a", "x", ErrInvalidName},
		{"long channel", strings.Repeat("a", 64), "x", ErrInvalidName},
		{"long payload", "a", strings.Repeat("x", MaxNotifyPayloadBytes+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Notify(t.Context(), tt.channel, tt.payload); !errors.Is(err, tt.want) {
				t.Errorf("Notify: got %v, want %v", err, tt.want)
			}
			if tt.want == ErrInvalidName {
				if _, err := s.Listen(t.Context(), tt.channel); !errors.Is(err, tt.want) {
					t.Errorf("Listen: got %v, want %v", err, tt.want)
				}
			}
		})
	}
}

func TestAppendRunLogNotifiesOnceStored(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	ch := listen(t, s, RunLogChannel)
	if err := s.AppendRunLog(ctx, "run-1", []RunLogLine{{Seq: 1, Text: "one"}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := receive(t, ch); p != "run-1" {
		t.Fatalf("got %q, want run-1", p)
	}
	// The notification comes after the commit: the lines are there.
	ls, err := s.RunLog(ctx, "run-1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]RunLogLine{{Seq: 1, Text: "one"}}, ls); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	// A batch that is refused notifies nobody.
	if err := s.AppendRunLog(ctx, "run-1", []RunLogLine{{Seq: 1, Text: "again"}}); !errors.Is(err, ErrConflict) {
		t.Fatalf("got %v, want ErrConflict", err)
	}
	if err := s.Notify(ctx, RunLogChannel, "marker"); err != nil {
		t.Fatal(err)
	}
	if p, _ := receive(t, ch); p != "marker" {
		t.Errorf("got %q after a refused append, want the marker", p)
	}
}

func TestRunLogOpen(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	createRun(t, s, dep, "run-2")
	check := func(id string, want bool) {
		t.Helper()
		open, err := s.RunLogOpen(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if open != want {
			t.Errorf("RunLogOpen(%s) = %v, want %v", id, open, want)
		}
	}
	check("run-1", true) // a queued run's log is open
	ch := listen(t, s, RunLogChannel)
	if err := s.SetRunLogOpen(ctx, "run-1", false); err != nil {
		t.Fatal(err)
	}
	if p, _ := receive(t, ch); p != "run-1" {
		t.Errorf("closing notified %q, want run-1", p)
	}
	check("run-1", false)
	check("run-2", true)
	if err := s.SetRunLogOpen(ctx, "run-1", true); err != nil {
		t.Fatal(err)
	}
	check("run-1", true)
	if _, err := s.RunLogOpen(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RunLogOpen of a missing run: got %v, want ErrNotFound", err)
	}
	if err := s.SetRunLogOpen(ctx, "nope", false); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetRunLogOpen of a missing run: got %v, want ErrNotFound", err)
	}
}

func TestSlowListenerIsResyncedNotWaitedOn(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	slow, barrier := listen(t, s, "a"), listen(t, s, "b")
	n := listenBuffer + 10
	for i := 1; i <= n; i++ {
		if err := s.Notify(ctx, "a", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Notify(ctx, "b", "done"); err != nil {
		t.Fatal(err)
	}
	// Notifications are handed out in the order they were sent: once the
	// barrier has its own, slow has had its chance at all of its.
	receiveUntil(t, barrier, "done")
	var got []string
	for len(slow) > 0 {
		got = append(got, <-slow)
	}
	if len(got) != listenBuffer {
		t.Fatalf("the listener that did not read holds %d payloads, want %d", len(got), listenBuffer)
	}
	if got[len(got)-1] != "" {
		t.Errorf("the listener that did not read ends with %q, want a resync", got[len(got)-1])
	}
	if got[0] != fmt.Sprint(n-listenBuffer+1) {
		t.Errorf("the listener that did not read starts at %q, want %d: only the oldest are dropped", got[0], n-listenBuffer+1)
	}
}

func TestListenEnds(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := s.Listen(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	kept := listen(t, s, "a")
	cancel()
	if _, ok := receive(t, ch); ok {
		t.Error("the listener's channel did not close with its context")
	}
	if _, err := s.Listen(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Listen with a done context: got %v, want context.Canceled", err)
	}
	s.Close()
	if _, ok := receive(t, kept); ok {
		t.Error("the listener's channel did not close with the store")
	}
	if _, err := s.Listen(t.Context(), "a"); !errors.Is(err, ErrClosed) {
		t.Errorf("Listen on a closed store: got %v, want ErrClosed", err)
	}
}

func TestNotifyReachesAnotherStoreOnTheDatabase(t *testing.T) {
	t.Parallel()
	a := newPostgresStore(t)
	b, err := Open(t.Context(), a.notes.pg.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	ch := listen(t, b, "a")
	if err := a.Notify(t.Context(), "a", "from a"); err != nil {
		t.Fatal(err)
	}
	if p, _ := receive(t, ch); p != "from a" {
		t.Errorf("got %q, want %q", p, "from a")
	}
}

func TestListenResyncsAfterTheConnectionIsLost(t *testing.T) {
	t.Parallel()
	s := newPostgresStore(t)
	ctx := t.Context()
	ch := listen(t, s, "a")
	var terminated bool
	if err := s.db.QueryRowContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN %'`).Scan(&terminated); err != nil {
		t.Fatalf("ending the listening connection: %v", err)
	}
	if !terminated {
		t.Fatal("the listening connection was not ended")
	}
	if p, ok := receive(t, ch); !ok || p != "" {
		t.Fatalf("got %q (open %v) after the connection was lost, want a resync", p, ok)
	}
	// Listening again: on the channel it had, and on a new one.
	other := listen(t, s, "b")
	if err := s.Notify(ctx, "a", "after"); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify(ctx, "b", "new"); err != nil {
		t.Fatal(err)
	}
	if p, _ := receive(t, ch); p != "after" {
		t.Errorf("got %q on the old channel, want %q", p, "after")
	}
	if p, _ := receive(t, other); p != "new" {
		t.Errorf("got %q on the new channel, want %q", p, "new")
	}
}
