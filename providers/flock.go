package providers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// lock takes the lock of one provider on one platform: first among this process's
// goroutines (keyedMutex, which a cancel interrupts), then among processes (an flock on a
// file in the cache, which the kernel releases when a process dies, so a crash never leaves
// it held). Installs and removals of that provider's packages for that platform hold it, so
// two servers on one cache install a package once.
func (c *Cache) lock(ctx context.Context, source, platform string) (func(), error) {
	unlock, err := c.lockKey(ctx, strings.NewReplacer("/", "~", ":", "~").Replace(source)+"~"+platform)
	if err != nil {
		return nil, fmt.Errorf("waiting for another install of %s for %s: %w", source, platform, err)
	}
	return unlock, nil
}

// lockKey takes the lock named key (a file name), in this process and among processes.
func (c *Cache) lockKey(ctx context.Context, key string) (func(), error) {
	release, err := c.locks.lock(ctx, key)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(c.lockDir(), key)
	// The flock is tried, not waited for, so a cancel ends the wait; 50ms is short beside
	// an install, which is what the other process is doing.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		l, ok, err := tryLockFile(path)
		if err != nil {
			release()
			return nil, err
		}
		if ok {
			return func() { l.unlock(); release() }, nil
		}
		select {
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// fileLock is an flock held on an open file.
type fileLock struct{ f *os.File }

// tryLockFile takes an exclusive flock on path, creating it; ok is false when another open
// file holds it.
func tryLockFile(path string) (fileLock, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fileLock{}, false, fmt.Errorf("opening lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fileLock{}, false, nil
		}
		return fileLock{}, false, fmt.Errorf("locking %s: %w", filepath.Base(path), err)
	}
	return fileLock{f}, true, nil
}

func (l fileLock) unlock() { l.f.Close() } // closing the last descriptor releases the flock

// unlockAndRemove removes the lock file before releasing it: a waiter that opened it
// meanwhile locks a file no longer in the directory, which is harmless for the staging
// locks it is used on (their directory is gone too).
func (l fileLock) unlockAndRemove() {
	os.Remove(l.f.Name())
	l.f.Close()
}

// keyedMutex is a mutex per key whose lock a context can abandon.
type keyedMutex struct {
	mu    sync.Mutex
	chans map[string]chan struct{}
}

func (k *keyedMutex) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	if k.chans == nil {
		k.chans = map[string]chan struct{}{}
	}
	ch, ok := k.chans[key]
	if !ok {
		ch = make(chan struct{}, 1)
		k.chans[key] = ch
	}
	k.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
