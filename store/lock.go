package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cloudoven/cloudoven/providers"
)

// ErrInvalidLock reports a dependency lock file that providers.ParseLock refuses.
var ErrInvalidLock = errors.New("invalid lock file")

// DeploymentLock is a deployment's dependency lock file (.terraform.lock.hcl): the provider
// versions and checksums its runs install. Lock is nil when the deployment has none yet.
type DeploymentLock struct {
	DeploymentID int64
	Lock         []byte
	UpdatedAt    time.Time
	// By is the user who chose it ("Use these versions"); RunID the run whose terraform
	// init wrote it. One of them is set.
	By     string
	RunID  string
	Reason string
}

// PendingLock is the lock file an "upgrade providers" request made for a deployment, shown as
// a diff until it is used or discarded. Base is the deployment's lock it was made from, nil
// when there was none.
type PendingLock struct {
	DeploymentID int64
	Lock         []byte
	Base         []byte
	CreatedAt    time.Time
	By           string
}

// checkLock refuses what is not a lock file terraform would read, or is over the bound
// providers.ParseLock keeps (1 MiB).
func checkLock(lock []byte) error {
	if len(lock) == 0 {
		return errorf(ErrInvalidLock, nil, "the lock file is empty")
	}
	if len(lock) > 1<<20 {
		return errorf(ErrTooLarge, nil, "the lock file is %d bytes; the limit is %d bytes (1 MiB)", len(lock), 1<<20)
	}
	if _, err := providers.ParseLock(lock); err != nil {
		return errorf(ErrInvalidLock, err, "%s", err.Error())
	}
	return nil
}

// DeploymentLock reads a deployment's lock file: the zero DeploymentLock (Lock nil), and no
// error, when it has none, or when there is no such deployment.
func (s *Store) DeploymentLock(ctx context.Context, deploymentID int64) (DeploymentLock, error) {
	l := DeploymentLock{DeploymentID: deploymentID}
	err := s.db.QueryRowContext(ctx,
		`SELECT lock, updated_at, updated_by, run_id, reason FROM deployment_locks WHERE deployment_id = ?`, deploymentID).
		Scan(&l.Lock, timeColumn{&l.UpdatedAt}, &l.By, &l.RunID, &l.Reason)
	if errors.Is(err, sql.ErrNoRows) {
		return DeploymentLock{DeploymentID: deploymentID}, nil
	}
	if err != nil {
		return DeploymentLock{}, fmt.Errorf("reading the lock file of deployment %d: %w", deploymentID, err)
	}
	l.Lock = bytes.Clone(l.Lock)
	return l, nil
}

// SetDeploymentLock keeps l.Lock as its deployment's lock file, provided the lock stored now
// is prev (nil: none), so a run that read the lock before a user chose new versions never
// puts the old ones back: ErrConflict otherwise. The lock must be one providers.ParseLock
// reads (ErrInvalidLock), of at most 1 MiB (ErrTooLarge); a missing deployment is
// ErrNotFound. UpdatedAt is set to now.
func (s *Store) SetDeploymentLock(ctx context.Context, l DeploymentLock, prev []byte) (DeploymentLock, error) {
	fail := func(err error) (DeploymentLock, error) {
		return DeploymentLock{}, fmt.Errorf("keeping the lock file of deployment %d: %w", l.DeploymentID, err)
	}
	if err := checkLock(l.Lock); err != nil {
		return fail(err)
	}
	for what, text := range map[string]string{"the user": l.By, "the run id": l.RunID, "the reason": l.Reason} {
		if err := checkText(what, text); err != nil {
			return fail(err)
		}
	}
	l.Lock, l.UpdatedAt = bytes.Clone(l.Lock), s.now()
	err := s.inTx(ctx, func(tx *txn) error { return setLock(ctx, tx, l, prev) })
	if err != nil {
		return fail(err)
	}
	return l, nil
}

// setLock writes l in tx when the stored lock is prev.
func setLock(ctx context.Context, tx *txn, l DeploymentLock, prev []byte) error {
	if err := deploymentExists(ctx, tx, l.DeploymentID); err != nil {
		return err
	}
	var cur []byte
	err := tx.QueryRowContext(ctx, `SELECT lock FROM deployment_locks WHERE deployment_id = ?`, l.DeploymentID).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		cur = nil
	case err != nil:
		return err
	}
	// A stored lock is never empty, so an empty prev is "none" as nil is.
	if !bytes.Equal(cur, prev) {
		return errorf(ErrConflict, nil, "the deployment's lock file changed since it was read")
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO deployment_locks (deployment_id, lock, updated_at, updated_by, run_id, reason) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (deployment_id) DO UPDATE SET lock = excluded.lock, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by, run_id = excluded.run_id, reason = excluded.reason`,
		l.DeploymentID, l.Lock, formatTime(l.UpdatedAt), l.By, l.RunID, l.Reason)
	return err
}

// SetPendingLock keeps p as the deployment's pending lock file, replacing an earlier one.
// p.Lock is checked as SetDeploymentLock checks it; CreatedAt is set to now.
func (s *Store) SetPendingLock(ctx context.Context, p PendingLock) error {
	fail := func(err error) error {
		return fmt.Errorf("keeping the pending lock file of deployment %d: %w", p.DeploymentID, err)
	}
	if err := checkLock(p.Lock); err != nil {
		return fail(err)
	}
	if len(p.Base) > 1<<20 {
		return fail(errorf(ErrTooLarge, nil, "the base lock file is over 1 MiB"))
	}
	if err := checkText("the user", p.By); err != nil {
		return fail(err)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		if err := deploymentExists(ctx, tx, p.DeploymentID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO deployment_lock_candidates (deployment_id, lock, base, created_at, created_by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (deployment_id) DO UPDATE SET lock = excluded.lock, base = excluded.base,
				created_at = excluded.created_at, created_by = excluded.created_by`,
			p.DeploymentID, p.Lock, blob(p.Base), formatTime(s.now()), p.By)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// PendingLock reads the deployment's pending lock file: the zero PendingLock (Lock nil), and
// no error, when there is none.
func (s *Store) PendingLock(ctx context.Context, deploymentID int64) (PendingLock, error) {
	p := PendingLock{DeploymentID: deploymentID}
	err := s.db.QueryRowContext(ctx,
		`SELECT lock, base, created_at, created_by FROM deployment_lock_candidates WHERE deployment_id = ?`, deploymentID).
		Scan(&p.Lock, &p.Base, timeColumn{&p.CreatedAt}, &p.By)
	if errors.Is(err, sql.ErrNoRows) {
		return PendingLock{DeploymentID: deploymentID}, nil
	}
	if err != nil {
		return PendingLock{}, fmt.Errorf("reading the pending lock file of deployment %d: %w", deploymentID, err)
	}
	p.Lock = bytes.Clone(p.Lock)
	if len(p.Base) > 0 {
		p.Base = bytes.Clone(p.Base)
	} else {
		p.Base = nil
	}
	return p, nil
}

// ClearPendingLock discards the deployment's pending lock file; none is not an error.
func (s *Store) ClearPendingLock(ctx context.Context, deploymentID int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM deployment_lock_candidates WHERE deployment_id = ?`, deploymentID); err != nil {
		return fmt.Errorf("discarding the pending lock file of deployment %d: %w", deploymentID, err)
	}
	return nil
}

// UsePendingLock makes the deployment's pending lock file its lock file, chosen by user with
// reason, and clears it, in one transaction. No pending lock is ErrNotFound; a pending lock
// whose base is no longer the deployment's lock (a run or another user changed it since) is
// ErrConflict, and stays pending.
func (s *Store) UsePendingLock(ctx context.Context, deploymentID int64, user, reason string) (DeploymentLock, error) {
	fail := func(err error) (DeploymentLock, error) {
		return DeploymentLock{}, fmt.Errorf("using the pending lock file of deployment %d: %w", deploymentID, err)
	}
	if err := checkText("the reason", reason); err != nil {
		return fail(err)
	}
	if err := checkText("the user", user); err != nil {
		return fail(err)
	}
	l := DeploymentLock{DeploymentID: deploymentID, By: user, Reason: reason, UpdatedAt: s.now()}
	err := s.inTx(ctx, func(tx *txn) error {
		var base []byte
		err := tx.QueryRowContext(ctx, `SELECT lock, base FROM deployment_lock_candidates WHERE deployment_id = ?`, deploymentID).
			Scan(&l.Lock, &base)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, err, "the deployment has no pending lock file")
		}
		if err != nil {
			return err
		}
		if len(base) == 0 {
			base = nil
		}
		if err := setLock(ctx, tx, l, base); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM deployment_lock_candidates WHERE deployment_id = ?`, deploymentID)
		return err
	})
	if err != nil {
		return fail(err)
	}
	l.Lock = bytes.Clone(l.Lock)
	return l, nil
}
