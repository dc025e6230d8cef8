package auth

import (
	"sync"
	"time"
)

// Limiter counts failed sign-ins per key (a user name, a client address) in memory: after
// Max failures within Window, the key is refused until the oldest of those failures is
// Window old. Counts live in one process and are lost on restart, which suits a single
// server; a restart lets an attacker try Max more times, a cost the argon2 hash also bounds.
type Limiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// maxKeys bounds the memory the limiter holds; past it, stale keys are dropped.
const maxKeys = 100_000

// NewLimiter makes a limiter; now nil means time.Now.
func NewLimiter(max int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{max: max, window: window, now: now, failures: map[string][]time.Time{}}
}

// Blocked reports whether any key is refused, and for how long at most.
func (l *Limiter) Blocked(keys ...string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range keys {
		fs := l.recent(k, now)
		if len(fs) < l.max {
			continue
		}
		if w := fs[len(fs)-l.max].Add(l.window).Sub(now); w > wait {
			wait = w
		}
	}
	return wait, wait > 0
}

// Fail records a failed attempt against every key.
func (l *Limiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.failures) > maxKeys {
		for k := range l.failures {
			if len(l.recent(k, now)) == 0 {
				delete(l.failures, k)
			}
		}
	}
	for _, k := range keys {
		fs := append(l.recent(k, now), now)
		if len(fs) > l.max {
			fs = fs[len(fs)-l.max:]
		}
		l.failures[k] = fs
	}
}

// Reset forgets the failures of key, after a successful sign-in.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// recent drops the failures older than the window; l.mu is held.
func (l *Limiter) recent(key string, now time.Time) []time.Time {
	fs := l.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.window {
		i++
	}
	if i == len(fs) {
		delete(l.failures, key)
		return nil
	}
	fs = fs[i:]
	l.failures[key] = fs
	return fs
}
