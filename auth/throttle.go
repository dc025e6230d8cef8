package auth

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Throttle slows down password guessing without letting anyone lock a user out.
//
// Three counts of failed sign-ins are kept, in a Ledger (the store), so that every replica
// of the server on one database counts every attempt, wherever it arrived:
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
// password is checked: however many arrive at once, at any replica, no more of them reach
// the (costly) check than the limits allow, since the Ledger decides and records in one
// transaction. Succeeded takes the count back and Cancel forgets an attempt whose password
// was never checked. A refusal is decided on a plain read first, so that a flood of
// refused attempts takes no write lock. What no limit needs any more is pruned from the
// Ledger, at most once every pruneEvery per Throttle.
type Throttle struct {
	ledger Ledger
	now    func() time.Time

	mu         sync.Mutex
	lastPruned time.Time
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

	// pruneEvery spaces out a Throttle's pruning of its Ledger.
	pruneEvery = time.Minute
)

// SignInCounts is what a Ledger holds of the sign-ins that bear on an attempt of a user
// name from a client address.
type SignInCounts struct {
	// PairFailures counts the failures of the user name from the address since its last
	// success (or since the count started afresh); PairLast is the latest of them, zero
	// when there is none.
	PairFailures int
	PairLast     time.Time
	// KnownAt is the last successful sign-in of the user name from the address, zero when
	// there is none.
	KnownAt time.Time
	// UserFailures and AddressFailures are the latest failures of the user name from any
	// address and of the address under any user name, after the since the Ledger was
	// asked for and at most the max it was asked for, oldest first.
	UserFailures    []time.Time
	AddressFailures []time.Time
}

// SignInFailure is a failure a Ledger recorded for an attempt Begin let through: what
// Succeeded and Cancel take back.
type SignInFailure struct {
	// ID is the Ledger's own for the failure.
	ID         int64
	User, Addr string
	At         time.Time
	// PrevLast is the pair's last failure before this one (zero when the pair's count
	// started afresh with it), which Cancel puts back.
	PrevLast time.Time
}

// Ledger keeps a Throttle's counts where every replica of the server reads them; the
// store (*store.Store) has it. Times are compared exactly, to the nanosecond.
type Ledger interface {
	// SignInCounts reads what bears on an attempt of user from addr: the failures of the
	// ceilings after since, at most max of each.
	SignInCounts(ctx context.Context, user, addr string, since time.Time, max int) (SignInCounts, error)
	// BeginSignIn reads the counts as SignInCounts does and calls admit with them; when
	// admit returns a count above zero, it records a failure of user from addr at at, for
	// the ceilings, and sets the pair's count to what admit returned, with at as its
	// last failure. Reading, admit and recording are one transaction, which no other
	// BeginSignIn on the same database interleaves with; admit may be called again if the
	// database had the transaction start over, so it only computes. BeginSignIn returns
	// the recorded failure's ID, or 0 when admit refused.
	BeginSignIn(ctx context.Context, user, addr string, at, since time.Time, max int, admit func(SignInCounts) int) (int64, error)
	// SucceedSignIn forgets f for the ceilings, clears its pair's count and records a
	// successful sign-in of the pair at at.
	SucceedSignIn(ctx context.Context, f SignInFailure, at time.Time) error
	// CancelSignIn forgets f for the ceilings and takes one off its pair's count, putting
	// f.PrevLast back as the pair's last failure if f was the last.
	CancelSignIn(ctx context.Context, f SignInFailure) error
	// PruneSignIns deletes the failures at or before failures, and the pairs whose last
	// failure is at or before pairs and whose last success (if any) at or before known.
	PruneSignIns(ctx context.Context, failures, pairs, known time.Time) error
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
	f SignInFailure
}

// NewThrottle makes a throttle that keeps its counts in ledger; now nil means time.Now.
func NewThrottle(ledger Ledger, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{ledger: ledger, now: now}
}

// ceilingsRead is how many of a user name's, or an address's, latest failures Begin reads:
// more are never needed.
const ceilingsRead = max(userCeiling, addressCeiling)

// Begin lets an attempt of user from addr through, counting it as a failure at once, or
// refuses it. An error says the Ledger could not be read or written; the attempt was not
// counted then.
func (t *Throttle) Begin(ctx context.Context, user, addr string) (Attempt, *Refusal, error) {
	now := t.now()
	since := now.Add(-ceilingWindow)
	c, err := t.ledger.SignInCounts(ctx, user, addr, since, ceilingsRead)
	if err != nil {
		return Attempt{}, nil, fmt.Errorf("reading failed sign-ins of %q: %w", user, err)
	}
	if _, r := judge(c, now); r != nil {
		return Attempt{}, r, nil
	}
	if err := t.prune(ctx, now); err != nil {
		return Attempt{}, nil, err
	}
	// Judged again where it counts: another attempt, at this replica or another, may have
	// been counted since the read.
	var refusal *Refusal
	f := SignInFailure{User: user, Addr: addr, At: now}
	f.ID, err = t.ledger.BeginSignIn(ctx, user, addr, now, since, ceilingsRead, func(c SignInCounts) int {
		var n int
		n, refusal = judge(c, now)
		f.PrevLast = c.PairLast
		if n == 1 {
			f.PrevLast = time.Time{}
		}
		return n
	})
	if err != nil {
		return Attempt{}, nil, fmt.Errorf("counting a sign-in of %q: %w", user, err)
	}
	if refusal != nil {
		return Attempt{}, refusal, nil
	}
	return Attempt{f: f}, nil, nil
}

// judge decides an attempt at now on counts c: the pair's failures with this attempt
// counted, or why it is refused.
func judge(c SignInCounts, now time.Time) (int, *Refusal) {
	failures := c.PairFailures
	if failures > 0 && now.Sub(c.PairLast) >= pairMemory {
		failures = 0
	}
	if failures >= pairFreeFailures {
		if until := c.PairLast.Add(pairDelay(failures)); now.Before(until) {
			return 0, &Refusal{Wait: until.Sub(now), Limit: LimitPair}
		}
	}
	if c.KnownAt.IsZero() || now.Sub(c.KnownAt) >= knownFor {
		var refusal *Refusal
		for _, l := range []struct {
			fs    []time.Time
			max   int
			limit Limit
		}{{c.UserFailures, userCeiling, LimitUser}, {c.AddressFailures, addressCeiling, LimitAddress}} {
			if len(l.fs) < l.max {
				continue
			}
			wait := l.fs[len(l.fs)-l.max].Add(ceilingWindow).Sub(now)
			if refusal == nil || wait > refusal.Wait {
				refusal = &Refusal{Wait: wait, Limit: l.limit}
			}
		}
		if refusal != nil {
			return 0, refusal
		}
	}
	return failures + 1, nil
}

// Succeeded records that a's password was right: the pair's failures are cleared, a is not
// a failure for the ceilings, and the user is known at the address from now on.
func (t *Throttle) Succeeded(ctx context.Context, a Attempt) error {
	if err := t.ledger.SucceedSignIn(ctx, a.f, t.now()); err != nil {
		return fmt.Errorf("recording a sign-in of %q: %w", a.f.User, err)
	}
	return nil
}

// Cancel forgets a, whose password was never checked (the server was too busy).
func (t *Throttle) Cancel(ctx context.Context, a Attempt) error {
	if err := t.ledger.CancelSignIn(ctx, a.f); err != nil {
		return fmt.Errorf("taking back a sign-in of %q: %w", a.f.User, err)
	}
	return nil
}

// pairDelay is how long a pair waits after its failures-th failure.
func pairDelay(failures int) time.Duration {
	shift := min(failures-pairFreeFailures, 20)
	return min(pairBaseDelay<<shift, pairMaxDelay)
}

// prune deletes what no limit needs any more at now, unless this Throttle did less than
// pruneEvery ago.
func (t *Throttle) prune(ctx context.Context, now time.Time) error {
	t.mu.Lock()
	if !t.lastPruned.IsZero() && now.Sub(t.lastPruned) < pruneEvery {
		t.mu.Unlock()
		return nil
	}
	t.lastPruned = now
	t.mu.Unlock()
	if err := t.ledger.PruneSignIns(ctx, now.Add(-ceilingWindow), now.Add(-pairMemory), now.Add(-knownFor)); err != nil {
		return fmt.Errorf("pruning failed sign-ins: %w", err)
	}
	return nil
}
