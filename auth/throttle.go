package auth

import (
	"sync"
	"time"
)

// Throttle slows down password guessing without letting anyone lock a user out.
//
// Three counts of failed sign-ins are kept, in memory:
//
//   - per user name and client address (a pair): after pairFreeFailures failures, each
//     further attempt from the pair waits pairBaseDelay, doubled with every failure up to
//     pairMaxDelay. A pair quiet for pairMemory starts afresh; a success clears it. This is
//     the strict limit, and it binds only whoever guesses from that address.
//   - per user name, over all addresses, and per address, over all user names: past
//     userCeiling or addressCeiling failures within ceilingWindow, attempts are refused
//     until the window has moved on. These looser ceilings slow a guess spread over many
//     addresses, or one address trying many names; they do not apply to a user at an
//     address they signed in from before (within knownFor), so the real user is never
//     locked out from their own address by someone else's guesses.
//
// An attempt counts as a failure from the moment Begin lets it through, before its
// password is checked: however many arrive at once, no more of them reach the (costly)
// check than the limits allow. Succeeded takes the count back and Cancel forgets an
// attempt whose password was never checked.
//
// The counts live in one process and are lost on restart (so are the known addresses):
// a single server is what CloudOven runs as. A restart gives a guesser a fresh start,
// which the argon2id cost and the hashing budget (Hasher) still bound.
type Throttle struct {
	now func() time.Time

	mu    sync.Mutex
	pairs map[pair]*pairFailures
	users map[string][]time.Time // recent failures per user name, oldest first
	addrs map[string][]time.Time // recent failures per client address, oldest first
	known map[pair]time.Time     // last successful sign-in of a user from an address
}

const (
	pairFreeFailures = 3
	pairBaseDelay    = time.Second
	pairMaxDelay     = 15 * time.Minute
	pairMemory       = time.Hour

	userCeiling    = 20
	addressCeiling = 20
	ceilingWindow  = 15 * time.Minute

	knownFor = 90 * 24 * time.Hour

	// maxKeys bounds each map; past it, stale entries are dropped. Fresh entries need a
	// failed, hashed attempt each, which the hashing budget bounds in turn.
	maxKeys = 100_000
)

type pair struct{ user, addr string }

type pairFailures struct {
	failures int
	last     time.Time
}

// Refusal is why Begin refused an attempt, and how long the client should wait.
type Refusal struct {
	Wait time.Duration
	// Limit is the count that refused: LimitPair, LimitUser or LimitAddress.
	Limit Limit
}

// Limit names one of the Throttle's counts.
type Limit int

// The Throttle's counts.
const (
	LimitPair    Limit = iota + 1 // this user name from this address
	LimitUser                     // this user name, from addresses it never signed in from
	LimitAddress                  // this address, for user names that never signed in from it
)

// Attempt is a sign-in attempt Begin let through; it counts as a failure until Succeeded
// or Cancel says otherwise.
type Attempt struct {
	user, addr string
	at         time.Time
	prevLast   time.Time // the pair's last failure before this attempt
}

// NewThrottle makes an empty throttle; now nil means time.Now.
func NewThrottle(now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{now: now, pairs: map[pair]*pairFailures{}, users: map[string][]time.Time{},
		addrs: map[string][]time.Time{}, known: map[pair]time.Time{}}
}

// Begin lets an attempt of user from addr through, counting it as a failure at once, or
// refuses it.
func (t *Throttle) Begin(user, addr string) (Attempt, *Refusal) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.prune(now)
	k := pair{user, addr}
	pf := t.pairs[k]
	if pf != nil && now.Sub(pf.last) >= pairMemory {
		delete(t.pairs, k)
		pf = nil
	}
	if pf != nil && pf.failures >= pairFreeFailures {
		if until := pf.last.Add(pairDelay(pf.failures)); now.Before(until) {
			return Attempt{}, &Refusal{Wait: until.Sub(now), Limit: LimitPair}
		}
	}
	if last, ok := t.known[k]; !ok || now.Sub(last) >= knownFor {
		var refusal *Refusal
		for _, c := range []struct {
			fs    []time.Time
			max   int
			limit Limit
		}{{t.recent(t.users, user, now), userCeiling, LimitUser}, {t.recent(t.addrs, addr, now), addressCeiling, LimitAddress}} {
			if len(c.fs) < c.max {
				continue
			}
			wait := c.fs[len(c.fs)-c.max].Add(ceilingWindow).Sub(now)
			if refusal == nil || wait > refusal.Wait {
				refusal = &Refusal{Wait: wait, Limit: c.limit}
			}
		}
		if refusal != nil {
			return Attempt{}, refusal
		}
	}
	a := Attempt{user: user, addr: addr, at: now}
	if pf == nil {
		pf = &pairFailures{}
		t.pairs[k] = pf
	}
	a.prevLast = pf.last
	pf.failures++
	pf.last = now
	t.users[user] = appendRecent(t.users[user], now, userCeiling)
	t.addrs[addr] = appendRecent(t.addrs[addr], now, addressCeiling)
	return a, nil
}

// Succeeded records that a's password was right: the pair's failures are cleared, a is not
// a failure for the ceilings, and the user is known at the address from now on.
func (t *Throttle) Succeeded(a Attempt) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := pair{a.user, a.addr}
	delete(t.pairs, k)
	t.forget(a)
	t.known[k] = t.now()
}

// Cancel forgets a, whose password was never checked (the server was too busy).
func (t *Throttle) Cancel(a Attempt) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := pair{a.user, a.addr}
	if pf := t.pairs[k]; pf != nil {
		pf.failures--
		if pf.last.Equal(a.at) {
			pf.last = a.prevLast
		}
		if pf.failures <= 0 {
			delete(t.pairs, k)
		}
	}
	t.forget(a)
}

// forget takes a's failure out of the ceilings' counts; t.mu is held.
func (t *Throttle) forget(a Attempt) {
	for _, m := range []struct {
		counts map[string][]time.Time
		key    string
	}{{t.users, a.user}, {t.addrs, a.addr}} {
		fs := m.counts[m.key]
		for i := len(fs) - 1; i >= 0; i-- {
			if fs[i].Equal(a.at) {
				fs = append(fs[:i], fs[i+1:]...)
				break
			}
		}
		if len(fs) == 0 {
			delete(m.counts, m.key)
		} else {
			m.counts[m.key] = fs
		}
	}
}

// pairDelay is how long a pair waits after its failures-th failure.
func pairDelay(failures int) time.Duration {
	shift := min(failures-pairFreeFailures, 20)
	return min(pairBaseDelay<<shift, pairMaxDelay)
}

// recent drops the failures of key older than the window; t.mu is held.
func (t *Throttle) recent(counts map[string][]time.Time, key string, now time.Time) []time.Time {
	fs := counts[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= ceilingWindow {
		i++
	}
	if i == len(fs) {
		delete(counts, key)
		return nil
	}
	fs = fs[i:]
	counts[key] = fs
	return fs
}

// appendRecent adds now to fs, keeping the last max entries: more are never needed.
func appendRecent(fs []time.Time, now time.Time, max int) []time.Time {
	fs = append(fs, now)
	if len(fs) > max {
		fs = append(fs[:0:0], fs[len(fs)-max:]...)
	}
	return fs
}

// prune drops stale entries from a map that has grown past maxKeys; t.mu is held.
func (t *Throttle) prune(now time.Time) {
	if len(t.pairs) > maxKeys {
		for k, pf := range t.pairs {
			if now.Sub(pf.last) >= pairMemory {
				delete(t.pairs, k)
			}
		}
	}
	for _, counts := range []map[string][]time.Time{t.users, t.addrs} {
		if len(counts) > maxKeys {
			for k := range counts {
				t.recent(counts, k, now)
			}
		}
	}
	if len(t.known) > maxKeys {
		for k, at := range t.known {
			if now.Sub(at) >= knownFor {
				delete(t.known, k)
			}
		}
	}
}
