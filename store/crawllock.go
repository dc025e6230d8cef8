package store

import (
	"context"
	"database/sql"
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

// crawlLockCheck is how often the holder of the crawl lock on PostgreSQL checks that the
// connection holding it is alive.
var crawlLockCheck = 2 * time.Second

// TryCrawlLock takes the crawl lock without waiting: ok is false, with a nil error, when
// another crawl holds it. The caller calls release once the crawl is over (further calls
// do nothing).
//
// On PostgreSQL the lock is a session-level advisory lock on a connection of its own, held
// for the crawl's whole duration, so it spans every replica on the database; a replica that
// dies, or whose connection drops, frees it with its session. The holder checks its
// connection every crawlLockCheck: when the connection does not answer, the lock may be
// another replica's already, and lost (when not nil) is called, once, so the crawl stops.
// On SQLite, which serves one replica, it is a guard in this process, shared by every
// Store on the same file, and never lost.
func (s *Store) TryCrawlLock(ctx context.Context, lost func()) (release func(), ok bool, err error) {
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
	stop, watched := make(chan struct{}), make(chan struct{})
	go watchCrawlLock(conn, lost, stop, watched)
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(stop)
			<-watched
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

// watchCrawlLock asks conn for an answer every crawlLockCheck until stop closes; the first
// time it gets none (the connection, and with it the session's lock, may be gone), it calls
// lost and stops asking. It closes done when it returns.
func watchCrawlLock(conn *sql.Conn, lost func(), stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(crawlLockCheck)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), crawlLockCheck)
		var one int
		err := conn.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
		cancel()
		if err != nil {
			if lost != nil {
				lost()
			}
			return
		}
	}
}
