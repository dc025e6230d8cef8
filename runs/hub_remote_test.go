package runs

import (
	"context"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/store"
)

// twoReplicas returns what two replicas of the server open on one
// database, with newStore's deployments: for SQLite (one process) the same
// Store twice; for PostgreSQL two Stores, each with its own connections
// and its own listening connection.
func twoReplicas(t *testing.T, db string) (a, b *store.Store, deps []int64) {
	t.Helper()
	if db == "sqlite" {
		s, deps := newStore(t)
		return s, s, deps
	}
	url := testenv.Postgres(t)
	a, deps = newStoreAt(t, url)
	b, err := store.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b, deps
}

// TestHubFollowsALogWrittenByAnotherHub writes a run's log on Hub a and
// follows it on Hub b, as two replicas do: followers that join before,
// during and after the stage, from the start or from a middle Seq, get
// every line once, in order, and their streams end after Close.
func TestHubFollowsALogWrittenByAnotherHub(t *testing.T) {
	t.Parallel()
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			sa, sb, deps := twoReplicas(t, db)
			ctx := t.Context()
			newRun(t, sa, deps[0], "run-1")
			a, b := NewHub(sa, nil), NewHub(sb, nil)
			subscribe := func(ctx context.Context, after int) <-chan Line {
				t.Helper()
				ch, err := b.Subscribe(ctx, "run-1", after)
				if err != nil {
					t.Fatal(err)
				}
				return ch
			}
			// More lines than a follower reads from the store at once.
			const half, total = pageLines + 500, 2*pageLines + 1000

			if err := a.Open(ctx, "run-1"); err != nil {
				t.Fatal(err)
			}
			before := subscribe(ctx, 0)
			for i := 1; i <= half; i++ {
				a.Append("run-1", text(i))
			}
			if err := a.Flush(ctx, "run-1"); err != nil {
				t.Fatal(err)
			}
			during := subscribe(ctx, 0)
			resumed := subscribe(ctx, 700)
			// A follower that leaves is let go while the log is open.
			stopCtx, stop := context.WithCancel(ctx)
			stopped := subscribe(stopCtx, 10)
			stop()
			if got := collect(t, stopped); len(got) > 0 {
				if err := checkLines(got, 10, 10+len(got)); err != nil {
					t.Errorf("follower that left: %v", err)
				}
			}
			for i := half + 1; i <= total; i++ {
				a.Append("run-1", text(i))
			}
			if err := a.Close(ctx, "run-1"); err != nil {
				t.Fatal(err)
			}
			after := subscribe(ctx, 0)
			resumedAfter := subscribe(ctx, total-10)

			for _, f := range []struct {
				name  string
				ch    <-chan Line
				after int
			}{
				{"subscribed before", before, 0},
				{"subscribed during", during, 0},
				{"resumed during", resumed, 700},
				{"subscribed after", after, 0},
				{"resumed after", resumedAfter, total - 10},
			} {
				if err := checkLines(collect(t, f.ch), f.after, total); err != nil {
					t.Errorf("follower %s: %v", f.name, err)
				}
			}
			if open, err := sb.RunLogOpen(ctx, "run-1"); err != nil || open {
				t.Errorf("after Close the store says the log is open: %v, %v", open, err)
			}

			// The next stage opens the log again, on whichever replica runs it.
			a.Append("run-1", text(total+1))
			next := subscribe(ctx, total)
			a.Append("run-1", text(total+2))
			if err := a.Close(ctx, "run-1"); err != nil {
				t.Fatal(err)
			}
			if err := checkLines(collect(t, next), total, total+2); err != nil {
				t.Errorf("follower of the next stage: %v", err)
			}
		})
	}
}
