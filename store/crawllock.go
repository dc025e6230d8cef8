package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// crawlLockKey is held, for the session, by the replica that crawls the catalog, so replicas
// on one PostgreSQL database crawl one at a time (see TryCrawlLock).
const crawlLockKey int64 = 0x636f6f76_00000003

// sqliteCrawlGuards holds one crawl guard per SQLite file, so every Store of this process on
// one file shares it. A SQLite file serves one replica, so the process is the whole scope.
var sqliteCrawlGuards sync.Map // absolute path → *atomic.Bool

func sqliteCrawlGuard(abs string) *atomic.Bool {
	g, _ := sqliteCrawlGuards.LoadOrStore(filepath.Clean(abs), new(atomic.Bool))
	return g.(*atomic.Bool)
}

// TryCrawlLock takes the crawl lock without waiting: ok is false, with a nil error, when
// another crawl holds it. The caller calls release once the crawl is over (further calls
// do nothing).
//
// On PostgreSQL the lock is a session-level advisory lock on a connection of its own, held
// for the crawl's whole duration, so it spans every replica on the database; a replica that
// dies, or whose connection drops, frees it with its session. On SQLite, which serves one
// replica, it is a guard in this process, shared by every Store on the same file.
func (s *Store) TryCrawlLock(ctx context.Context) (release func(), ok bool, err error) {
	if s.crawlGuard != nil {
		if !s.crawlGuard.CompareAndSwap(false, true) {
			return nil, false, nil
		}
		var once sync.Once
		return func() { once.Do(func() { s.crawlGuard.Store(false) }) }, true, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("taking the crawl lock: connecting: %w", err)
	}
	// discard ends the session, and any lock it holds, rather than giving the connection
	// back to the pool with a lock in an unknown state.
	discard := func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, crawlLockKey).Scan(&got); err != nil {
		discard()
		return nil, false, fmt.Errorf("taking the crawl lock: %w", err)
	}
	if !got {
		conn.Close()
		return nil, false, nil
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			// The crawl's context may be done by now: the unlock has a context of its own.
			unlockCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var freed bool
			if err := conn.QueryRowContext(unlockCtx, `SELECT pg_advisory_unlock($1)`, crawlLockKey).Scan(&freed); err != nil || !freed {
				discard()
				return
			}
			conn.Close()
		})
	}
	return release, true, nil
}
