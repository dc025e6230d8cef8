package auth

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

// fakeLedger is a Ledger in memory, for the Throttle's policy; the store's, on both
// databases and across replicas, is tested in package store.
type fakeLedger struct {
	mu       sync.Mutex
	pairs    map[[2]string]*fakePair
	failures []SignInFailure // every failure counted, in order
	nextID   int64
}

type fakePair struct {
	failures    int
	last, known time.Time
}

func newFakeLedger() *fakeLedger { return &fakeLedger{pairs: map[[2]string]*fakePair{}} }

func (l *fakeLedger) counts(user, addr string, since time.Time, most int) SignInCounts {
	var c SignInCounts
	if p := l.pairs[[2]string{user, addr}]; p != nil {
		c.PairFailures, c.PairLast, c.KnownAt = p.failures, p.last, p.known
	}
	for _, f := range l.failures {
		if f.At.After(since) {
			if f.User == user {
				c.UserFailures = append(c.UserFailures, f.At)
			}
			if f.Addr == addr {
				c.AddressFailures = append(c.AddressFailures, f.At)
			}
		}
	}
	c.UserFailures = c.UserFailures[max(0, len(c.UserFailures)-most):]
	c.AddressFailures = c.AddressFailures[max(0, len(c.AddressFailures)-most):]
	return c
}

func (l *fakeLedger) SignInCounts(_ context.Context, user, addr string, since time.Time, max int) (SignInCounts, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts(user, addr, since, max), nil
}

func (l *fakeLedger) BeginSignIn(_ context.Context, user, addr string, at, since time.Time, max int, admit func(SignInCounts) int) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := admit(l.counts(user, addr, since, max))
	if n <= 0 {
		return 0, nil
	}
	k := [2]string{user, addr}
	if l.pairs[k] == nil {
		l.pairs[k] = &fakePair{}
	}
	l.pairs[k].failures, l.pairs[k].last = n, at
	l.nextID++
	l.failures = append(l.failures, SignInFailure{ID: l.nextID, User: user, Addr: addr, At: at})
	return l.nextID, nil
}

func (l *fakeLedger) forget(id int64) {
	l.failures = slices.DeleteFunc(l.failures, func(f SignInFailure) bool { return f.ID == id })
}

func (l *fakeLedger) SucceedSignIn(_ context.Context, f SignInFailure, at time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forget(f.ID)
	l.pairs[[2]string{f.User, f.Addr}] = &fakePair{known: at}
	return nil
}

func (l *fakeLedger) CancelSignIn(_ context.Context, f SignInFailure) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.forget(f.ID)
	if p := l.pairs[[2]string{f.User, f.Addr}]; p != nil && p.failures > 0 {
		p.failures--
		if p.last.Equal(f.At) {
			p.last = f.PrevLast
		}
	}
	return nil
}

func (l *fakeLedger) PruneSignIns(_ context.Context, failures, pairs, known time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = slices.DeleteFunc(l.failures, func(f SignInFailure) bool { return !f.At.After(failures) })
	for k, p := range l.pairs {
		if !p.last.After(pairs) && !p.known.After(known) {
			delete(l.pairs, k)
		}
	}
	return nil
}

// begin is Begin with a test's context, failing the test on an error.
func begin(t *testing.T, th *Throttle, user, addr string) (Attempt, *Refusal) {
	t.Helper()
	a, r, err := th.Begin(t.Context(), user, addr)
	if err != nil {
		t.Fatal(err)
	}
	return a, r
}

func TestThrottlePairDelaysGrow(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	th := NewThrottle(newFakeLedger(), clock.Now)
	for i := range pairFreeFailures {
		if _, r := begin(t, th, "ann", "ip1"); r != nil {
			t.Fatalf("failure %d refused: %+v", i+1, r)
		}
	}
	want := time.Second
	for range 12 {
		_, r := begin(t, th, "ann", "ip1")
		if r == nil || r.Limit != LimitPair || r.Wait != want {
			t.Fatalf("refusal %+v, want the pair's %s", r, want)
		}
		// Another address, and another name, are not held up (and their attempts are
		// taken back, so that the ceilings stay out of this).
		for _, k := range [][2]string{{"ann", "ip2"}, {"bob", "ip1"}} {
			a, r := begin(t, th, k[0], k[1])
			if r != nil {
				t.Fatalf("%s from %s refused: %+v", k[0], k[1], r)
			}
			th.Cancel(t.Context(), a)
		}
		clock.now = clock.now.Add(want)
		if _, r := begin(t, th, "ann", "ip1"); r != nil {
			t.Fatalf("refused after waiting %s: %+v", want, r)
		}
		want = min(2*want, pairMaxDelay)
	}
	if want != pairMaxDelay {
		t.Errorf("the delay grew to %s, want the cap %s", want, pairMaxDelay)
	}
}

func TestThrottleSucceededAndCancel(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	th := NewThrottle(newFakeLedger(), clock.Now)
	var last Attempt
	for range pairFreeFailures {
		last, _ = begin(t, th, "ann", "ip1")
	}
	th.Cancel(t.Context(), last) // never checked: not a failure
	a, r := begin(t, th, "ann", "ip1")
	if r != nil {
		t.Fatalf("refused after a canceled attempt: %+v", r)
	}
	th.Succeeded(t.Context(), a)
	for i := range pairFreeFailures {
		if _, r := begin(t, th, "ann", "ip1"); r != nil {
			t.Fatalf("failure %d after a success refused: %+v", i+1, r)
		}
	}
	if n := len(th.ledger.(*fakeLedger).counts("ann", "ip1", clock.now.Add(-ceilingWindow), userCeiling).UserFailures); n != 2*pairFreeFailures-1 {
		t.Errorf("ann's ceiling counts %d failures, want %d (the canceled and the successful attempt are not failures)", n, 2*pairFreeFailures-1)
	}
}

func TestThrottleCeilingsSpareKnownAddresses(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	th := NewThrottle(newFakeLedger(), clock.Now)
	a, _ := begin(t, th, "ann", "home")
	th.Succeeded(t.Context(), a)
	for i := range userCeiling {
		if _, r := begin(t, th, "ann", "elsewhere"+string(rune('a'+i))); r != nil {
			t.Fatalf("failure %d refused: %+v", i+1, r)
		}
		clock.now = clock.now.Add(time.Second)
	}
	_, r := begin(t, th, "ann", "new")
	if r == nil || r.Limit != LimitUser || r.Wait != ceilingWindow-userCeiling*time.Second {
		t.Fatalf("past the user ceiling: %+v", r)
	}
	if _, r := begin(t, th, "ann", "home"); r != nil {
		t.Fatalf("ann at home refused: %+v", r)
	}
	clock.now = clock.now.Add(ceilingWindow)
	if _, r := begin(t, th, "ann", "new"); r != nil {
		t.Fatalf("refused after the window: %+v", r)
	}

	for i := range addressCeiling {
		begin(t, th, "user"+string(rune('a'+i)), "sprayer")
	}
	if _, r := begin(t, th, "bob", "sprayer"); r == nil || r.Limit != LimitAddress {
		t.Fatalf("past the address ceiling: %+v", r)
	}
}

// staleReads is a Ledger whose plain reads see nothing, as a read taken just before other
// replicas counted their attempts would.
type staleReads struct{ *fakeLedger }

func (staleReads) SignInCounts(context.Context, string, string, time.Time, int) (SignInCounts, error) {
	return SignInCounts{}, nil
}

// TestThrottleJudgesAgainWhereItCounts: an attempt the plain read would let through is
// refused when the counts in the Ledger's transaction say so, and is not counted.
func TestThrottleJudgesAgainWhereItCounts(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	ledger := newFakeLedger()
	th := NewThrottle(staleReads{ledger}, clock.Now)
	for range pairFreeFailures {
		if _, r := begin(t, th, "ann", "ip1"); r != nil {
			t.Fatalf("refused: %+v", r)
		}
	}
	if _, r := begin(t, th, "ann", "ip1"); r == nil || r.Limit != LimitPair {
		t.Fatalf("past the free failures: %+v, want the pair's refusal", r)
	}
	if got := ledger.counts("ann", "ip1", clock.now.Add(-ceilingWindow), userCeiling); got.PairFailures != pairFreeFailures || len(got.UserFailures) != pairFreeFailures {
		t.Errorf("counts %+v, want the refused attempt not counted", got)
	}
}
