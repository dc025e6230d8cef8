package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// twoReplicas opens two stores on one database, as two replicas of a server do: on
// PostgreSQL two pools, on SQLite two Stores of this process on one file.
func twoReplicas(t *testing.T) (*Store, *Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "cloudoven.db")
	if testDialect == "postgres" {
		path = testenv.Postgres(t)
	}
	var out [2]*Store
	for i := range out {
		s, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		s.now = steppingClock()
		out[i] = s
	}
	return out[0], out[1]
}

func tryCrawlLock(t *testing.T, s *Store) (func(), bool) {
	t.Helper()
	release, ok, err := s.TryCrawlLock(t.Context(), nil)
	if err != nil {
		t.Fatalf("TryCrawlLock: %v", err)
	}
	if ok == (release == nil) {
		t.Fatalf("TryCrawlLock: ok=%v with release=%v", ok, release != nil)
	}
	return release, ok
}

func TestCrawlLockOneHolderAtATime(t *testing.T) {
	t.Parallel()
	a, b := twoReplicas(t)
	releaseA, ok := tryCrawlLock(t, a)
	if !ok {
		t.Fatal("the first taker was refused the crawl lock")
	}
	if _, ok := tryCrawlLock(t, b); ok {
		t.Fatal("a second replica took the crawl lock while the first held it")
	}
	if _, ok := tryCrawlLock(t, a); ok {
		t.Fatal("the holder's own store took the crawl lock a second time")
	}
	releaseA()
	releaseA() // a second release does nothing
	releaseB, ok := tryCrawlLock(t, b)
	if !ok {
		t.Fatal("the crawl lock was refused after its holder released it")
	}
	if _, ok := tryCrawlLock(t, a); ok {
		t.Fatal("the first replica took the crawl lock while the second held it")
	}
	releaseB()
	releaseA, ok = tryCrawlLock(t, a)
	if !ok {
		t.Fatal("the crawl lock was refused after the second holder released it")
	}
	releaseA()
}

func TestPostgresCrawlLockRefusesACanceledContext(t *testing.T) {
	t.Parallel()
	s := newPostgresStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if release, ok, err := s.TryCrawlLock(ctx, nil); err == nil || ok || release != nil {
		t.Fatalf("TryCrawlLock with a canceled context: ok=%v err=%v", ok, err)
	}
	release, ok := tryCrawlLock(t, s)
	if !ok {
		t.Fatal("the crawl lock was refused after a canceled attempt")
	}
	release()
}

// TestPostgresCrawlLockDiesWithItsConnection: a replica whose session ends (the process
// died, the network dropped) frees the crawl lock for the others.
func TestPostgresCrawlLockDiesWithItsConnection(t *testing.T) {
	t.Parallel()
	dsn := testenv.Postgres(t)
	var stores [2]*Store
	for i := range stores {
		s, err := Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	a, b := stores[0], stores[1]
	lost := make(chan struct{})
	releaseA, ok, err := a.TryCrawlLock(t.Context(), func() { close(lost) })
	if err != nil || !ok {
		t.Fatalf("the first taker was refused the crawl lock: %v", err)
	}
	if _, ok := tryCrawlLock(t, b); ok {
		t.Fatal("a second replica took the crawl lock while the first held it")
	}
	// The holder's backend, found by its lock: a bigint advisory key is stored as its high
	// and low 32 bits in classid and objid.
	var pid int
	err = b.db.QueryRowContext(t.Context(), `SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 1
		AND classid::bigint = ? AND objid::bigint = ? AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
		crawlLockKey>>32, crawlLockKey&0xffffffff).Scan(&pid)
	if err != nil {
		t.Fatalf("finding the crawl lock's backend: %v", err)
	}
	// With a timeout, pg_terminate_backend returns once the backend has exited, its locks
	// released.
	var terminated bool
	if err := b.db.QueryRowContext(t.Context(), `SELECT pg_terminate_backend(?, 60000)`, pid).Scan(&terminated); err != nil || !terminated {
		t.Fatalf("terminating backend %d: %v (terminated %v)", pid, err, terminated)
	}
	// The holder learns it lost the lock at its next check of the connection.
	select {
	case <-lost:
	case <-time.After(30 * time.Second):
		t.Fatal("the holder was not told its crawl lock was lost with its connection")
	}
	releaseB, ok := tryCrawlLock(t, b)
	if !ok {
		t.Fatal("the crawl lock stayed taken after its holder's connection died")
	}
	releaseA() // the unlock fails on the dead connection: it is discarded, nothing else
	if _, ok := tryCrawlLock(t, a); ok {
		t.Fatal("the first replica took the crawl lock from the second after its dead release")
	}
	releaseB()
	release, ok := tryCrawlLock(t, a)
	if !ok {
		t.Fatal("the first replica's pool gave no working connection after its lock's connection died")
	}
	release()
}
