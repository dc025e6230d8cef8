package runs

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudoven/cloudoven/store"
)

// LockInUseError refuses to force-unlock a lock whose run is executing a
// stage: its terraform works under the lock, and would fail to save the
// state it changed without it. It wraps store.ErrConflict.
type LockInUseError struct {
	RunID  string
	LockID string
}

// Error says which run holds the lock.
func (e *LockInUseError) Error() string {
	return fmt.Sprintf("run %s still executes under lock %s: cancel the run instead", e.RunID, e.LockID)
}

// Unwrap makes errors.Is(err, store.ErrConflict) hold.
func (e *LockInUseError) Unwrap() error { return store.ErrConflict }

// ForceUnlock releases the lock lockID on a deployment's state on behalf of
// user, an operator who was shown that lock, and returns the lock released.
// It is `terraform force-unlock` for CloudOven's state backend, whose run
// credentials may not do it: a lock a run's terraform left behind (killed,
// or unable to reach the backend) stays until an operator releases it.
//
// While the run that took the lock executes a stage, ForceUnlock refuses
// with a *LockInUseError. A state that is not locked is store.ErrNotFound;
// one locked by another lock now (the operator saw an older page) is
// store.ErrConflict. Neither releases anything.
func (s *Service) ForceUnlock(ctx context.Context, project string, deploymentID int64, lockID, user string) (store.StateLock, error) {
	fail := func(err error) (store.StateLock, error) {
		return store.StateLock{}, fmt.Errorf("force-unlocking the state of deployment %d: %w", deploymentID, err)
	}
	if lockID == "" {
		return fail(errors.New("no lock id given"))
	}
	d, err := s.opts.Store.Deployment(ctx, project, deploymentID)
	if err != nil {
		return fail(err)
	}
	held, err := s.opts.Store.StateLock(ctx, d.ID)
	if err != nil {
		return fail(err)
	}
	// A stage's terraform runs while its run is running (a plan) or
	// applying, and only then: the run leaves those states once the
	// executor has returned. A stage that starts after this check takes a
	// lock of its own, never this one.
	if held.ID == lockID && held.RunID != "" {
		r, err := s.opts.Store.Run(ctx, held.RunID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return fail(err)
		case r.State == store.RunRunning || r.State == store.RunApplying:
			return fail(&LockInUseError{RunID: held.RunID, LockID: held.ID})
		}
	}
	released, err := s.opts.Store.BreakStateLock(ctx, d.ID, lockID)
	if err != nil {
		return fail(err)
	}
	s.log.Warn("state force-unlocked", "project", project, "deployment", d.ID, "lock", released.ID,
		"run", released.RunID, "user", user)
	return released, nil
}
