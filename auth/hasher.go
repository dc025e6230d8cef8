package auth

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// ErrBusy reports that a password could not be hashed or checked because the hashing
// budget stayed taken for as long as a request may wait.
var ErrBusy = errors.New("too many passwords are being checked at once")

// DefaultHashBudget is the memory the hashes of one server may hold at once: four hashes
// with DefaultParams (64 MiB each).
const DefaultHashBudget = 256 << 20

// Hasher hashes and checks passwords within a memory budget. argon2id takes its memory
// cost (64 MiB with DefaultParams) for every hash while it runs, so without a bound a
// burst of sign-ins takes as many times that as there are requests. Each hash takes its
// memory cost from the budget (a stored hash's own cost when checking one) and waits,
// first come first served, until it fits; a request that would wait longer than maxWait,
// or find maxWaiting requests waiting already, gets ErrBusy instead.
type Hasher struct {
	sem        *semaphore.Weighted
	budgetKiB  int64
	maxWait    time.Duration
	maxWaiting int64
	waiting    atomic.Int64
}

// NewHasher makes a hasher whose hashes hold at most budget bytes at once (at least one
// hash runs whatever its cost); budget 0 means DefaultHashBudget.
func NewHasher(budget int64) *Hasher {
	if budget <= 0 {
		budget = DefaultHashBudget
	}
	kib := max(budget>>10, 1)
	return &Hasher{sem: semaphore.NewWeighted(kib), budgetKiB: kib, maxWait: 5 * time.Second, maxWaiting: 32}
}

// Hash is HashPassword within the budget.
func (h *Hasher) Hash(ctx context.Context, password string, p Params) (string, error) {
	if p == (Params{}) {
		p = DefaultParams
	}
	release, err := h.acquire(ctx, p.Memory)
	if err != nil {
		return "", fmt.Errorf("hashing password: %w", err)
	}
	defer release()
	return HashPassword(password, p)
}

// Verify is VerifyPassword within the budget.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	release, err := h.acquire(ctx, p.Memory)
	if err != nil {
		return false, fmt.Errorf("checking password: %w", err)
	}
	defer release()
	return verify(p, salt, key, password), nil
}

// acquire takes memoryKiB of the budget (all of it for a hash that costs more) and returns
// what gives it back.
func (h *Hasher) acquire(ctx context.Context, memoryKiB uint32) (func(), error) {
	n := min(int64(memoryKiB), h.budgetKiB)
	if h.sem.TryAcquire(n) {
		return func() { h.sem.Release(n) }, nil
	}
	if h.waiting.Add(1) > h.maxWaiting {
		h.waiting.Add(-1)
		return nil, ErrBusy
	}
	defer h.waiting.Add(-1)
	wctx, cancel := context.WithTimeout(ctx, h.maxWait)
	defer cancel()
	if err := h.sem.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ErrBusy
	}
	return func() { h.sem.Release(n) }, nil
}
