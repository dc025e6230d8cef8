package auth

import (
	"testing"
	"time"
)

type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time { return c.now }

func TestThrottlePairDelaysGrow(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	th := NewThrottle(clock.Now)
	for i := range pairFreeFailures {
		if _, r := th.Begin("ann", "ip1"); r != nil {
			t.Fatalf("failure %d refused: %+v", i+1, r)
		}
	}
	want := time.Second
	for range 12 {
		_, r := th.Begin("ann", "ip1")
		if r == nil || r.Limit != LimitPair || r.Wait != want {
			t.Fatalf("refusal %+v, want the pair's %s", r, want)
		}
		// Another address, and another name, are not held up (and their attempts are
		// taken back, so that the ceilings stay out of this).
		for _, k := range [][2]string{{"ann", "ip2"}, {"bob", "ip1"}} {
			a, r := th.Begin(k[0], k[1])
			if r != nil {
				t.Fatalf("%s from %s refused: %+v", k[0], k[1], r)
			}
			th.Cancel(a)
		}
		clock.now = clock.now.Add(want)
		if _, r := th.Begin("ann", "ip1"); r != nil {
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
	th := NewThrottle(clock.Now)
	var last Attempt
	for range pairFreeFailures {
		last, _ = th.Begin("ann", "ip1")
	}
	th.Cancel(last) // never checked: not a failure
	a, r := th.Begin("ann", "ip1")
	if r != nil {
		t.Fatalf("refused after a canceled attempt: %+v", r)
	}
	th.Succeeded(a)
	for i := range pairFreeFailures {
		if _, r := th.Begin("ann", "ip1"); r != nil {
			t.Fatalf("failure %d after a success refused: %+v", i+1, r)
		}
	}
	if n := len(th.users["ann"]); n != 2*pairFreeFailures-1 {
		t.Errorf("ann's ceiling counts %d failures, want %d (the canceled and the successful attempt are not failures)", n, 2*pairFreeFailures-1)
	}
}

func TestThrottleCeilingsSpareKnownAddresses(t *testing.T) {
	t.Parallel()
	clock := &testClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	th := NewThrottle(clock.Now)
	a, _ := th.Begin("ann", "home")
	th.Succeeded(a)
	for i := range userCeiling {
		if _, r := th.Begin("ann", "elsewhere"+string(rune('a'+i))); r != nil {
			t.Fatalf("failure %d refused: %+v", i+1, r)
		}
		clock.now = clock.now.Add(time.Second)
	}
	_, r := th.Begin("ann", "new")
	if r == nil || r.Limit != LimitUser || r.Wait != ceilingWindow-userCeiling*time.Second {
		t.Fatalf("past the user ceiling: %+v", r)
	}
	if _, r := th.Begin("ann", "home"); r != nil {
		t.Fatalf("ann at home refused: %+v", r)
	}
	clock.now = clock.now.Add(ceilingWindow)
	if _, r := th.Begin("ann", "new"); r != nil {
		t.Fatalf("refused after the window: %+v", r)
	}

	for i := range addressCeiling {
		th.Begin("user"+string(rune('a'+i)), "sprayer")
	}
	if _, r := th.Begin("bob", "sprayer"); r == nil || r.Limit != LimitAddress {
		t.Fatalf("past the address ceiling: %+v", r)
	}
}
