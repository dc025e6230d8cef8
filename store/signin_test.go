package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// newReplicas opens the database newStore would twice, as two replicas of the server do.
func newReplicas(t *testing.T) (*Store, *Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "cloudoven.db")
	if testDialect == "postgres" {
		path = testenv.Postgres(t)
	}
	var sts [2]*Store
	for i := range sts {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		sts[i] = s
	}
	return sts[0], sts[1]
}

type signInClock struct{ now time.Time }

func (c *signInClock) Now() time.Time { return c.now }

// TestSignInThrottleAcrossReplicas: failures counted by one replica's throttle make
// another's refuse, for the pair, the user name's ceiling and the address's; a success at
// one clears the pair at both; a canceled attempt is not counted; and what no limit needs
// any more is pruned.
func TestSignInThrottleAcrossReplicas(t *testing.T) {
	t.Parallel()
	stA, stB := newReplicas(t)
	ctx := t.Context()
	clock := &signInClock{now: time.Date(2026, 2, 3, 4, 5, 6, 7, time.UTC)}
	a, b := auth.NewThrottle(stA, clock.Now), auth.NewThrottle(stB, clock.Now)
	begin := func(th *auth.Throttle, user, addr string) (auth.Attempt, *auth.Refusal) {
		t.Helper()
		at, r, err := th.Begin(ctx, user, addr)
		if err != nil {
			t.Fatal(err)
		}
		return at, r
	}

	// Three free failures, spread over both replicas; the fourth waits a second at either.
	for i, th := range []*auth.Throttle{a, b, a} {
		if _, r := begin(th, "ann", "ip1"); r != nil {
			t.Fatalf("failure %d refused: %+v", i+1, r)
		}
	}
	for name, th := range map[string]*auth.Throttle{"A": a, "B": b} {
		if _, r := begin(th, "ann", "ip1"); r == nil || r.Limit != auth.LimitPair || r.Wait != time.Second {
			t.Errorf("replica %s after three failures: %+v, want the pair's 1s", name, r)
		}
	}
	// A canceled attempt at B is not counted at A; a success at B clears the pair at A.
	clock.now = clock.now.Add(time.Second)
	canceled, r := begin(b, "ann", "ip1")
	if r != nil {
		t.Fatalf("after the wait: %+v", r)
	}
	if err := b.Cancel(ctx, canceled); err != nil {
		t.Fatal(err)
	}
	ok, r := begin(a, "ann", "ip1")
	if r != nil {
		t.Fatalf("after a canceled attempt: %+v", r)
	}
	if err := a.Succeeded(ctx, ok); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, r := begin([]*auth.Throttle{b, a}[i%2], "ann", "ip1"); r != nil {
			t.Fatalf("failure %d after a success refused: %+v", i+1, r)
		}
	}

	// The ceilings: 20 failures of bob from 20 addresses, half at each replica, refuse bob
	// from a 21st at either, but for home, where he signed in at A; 20 names from one
	// address refuse a 21st name there.
	home, r := begin(a, "bob", "home")
	if r != nil {
		t.Fatalf("bob at home: %+v", r)
	}
	if err := a.Succeeded(ctx, home); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, r := begin([]*auth.Throttle{a, b}[i%2], "bob", fmt.Sprintf("10.0.0.%d", i)); r != nil {
			t.Fatalf("bob's failure %d refused: %+v", i+1, r)
		}
		if _, r := begin([]*auth.Throttle{b, a}[i%2], fmt.Sprintf("user%d", i), "sprayer"); r != nil {
			t.Fatalf("the sprayer's failure %d refused: %+v", i+1, r)
		}
	}
	for name, th := range map[string]*auth.Throttle{"A": a, "B": b} {
		if _, r := begin(th, "bob", "10.0.1.1"); r == nil || r.Limit != auth.LimitUser {
			t.Errorf("replica %s past bob's ceiling: %+v", name, r)
		}
		if _, r := begin(th, "carol", "sprayer"); r == nil || r.Limit != auth.LimitAddress {
			t.Errorf("replica %s past the address's ceiling: %+v", name, r)
		}
	}
	if _, r := begin(b, "bob", "home"); r != nil {
		t.Errorf("bob at home, past his ceiling elsewhere: %+v", r)
	}

	// A day later only the known addresses are needed: pruning (on the next attempt let
	// through) leaves those pairs and the one failure it counts.
	clock.now = clock.now.Add(24 * time.Hour)
	if _, r := begin(a, "dave", "ip9"); r != nil {
		t.Fatalf("dave a day later: %+v", r)
	}
	if n := count(t, stA, "signin_failures"); n != 1 {
		t.Errorf("%d failures kept after pruning, want dave's 1", n)
	}
	if n := count(t, stB, "signin_pairs"); n != 3 {
		t.Errorf("%d pairs kept after pruning, want 3 (ann at ip1 and bob at home, known; dave at ip9)", n)
	}
}
