// Runs claimed from the store: any number of servers on one database take the runs that may
// start, each holding a lease it renews while the stage executes.

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// maxRunnerBytes matches the CHECK on runs.runner.
const maxRunnerBytes = 128

// claimable selects the oldest run that may start a stage now: an approved run (its
// deployment is already its own), or a queued run that is the oldest unfinished run of its
// deployment. Runs are taken in creation order.
const claimable = runSelect + `
	WHERE r.state = 'approved'
	   OR (r.state = 'queued' AND NOT EXISTS (
			SELECT 1 FROM runs o
			WHERE o.deployment_id = r.deployment_id AND o.seq < r.seq
			  AND o.state IN ('queued', 'running', 'planned', 'approved', 'applying')))
	ORDER BY r.seq
	LIMIT 1`

// ClaimRun takes the oldest run that may start a stage, for the server named runner, and
// returns it moved to its executing state: a queued run to RunRunning (StartedAt recorded),
// an approved run to RunApplying. The claim lapses at now+lease unless RenewRunLeases
// renews it. ok is false when no run may start. On PostgreSQL the candidate row is locked
// with FOR UPDATE SKIP LOCKED, so servers claiming at once take different runs; a queued
// run is claimable only while no earlier run of its deployment is unfinished, so a
// deployment never has two runs executing or waiting for approval.
func (s *Store) ClaimRun(ctx context.Context, runner string, lease time.Duration) (r Run, ok bool, err error) {
	if err := validRunner(runner); err != nil {
		return Run{}, false, fmt.Errorf("claiming a run: %w", err)
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *txn) error {
		ok = false
		q := claimable
		if s.db.d.name() == "postgres" {
			q += ` FOR UPDATE OF r SKIP LOCKED`
		}
		var err error
		r, err = scanRun(tx.QueryRowContext(ctx, q))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		to := RunRunning
		if r.State == RunApproved {
			to = RunApplying
		}
		r = applyTransition(r, RunTransition{To: to}, now)
		_, err = tx.ExecContext(ctx, `UPDATE runs SET state = ?, started_at = ?, runner = ?, lease_expires_at = ?,
			cancel_requested_by = '' WHERE id = ?`,
			string(r.State), optTime(r.StartedAt), runner, formatTime(now.Add(lease)), r.ID)
		ok = err == nil
		return err
	})
	if err != nil {
		return Run{}, false, fmt.Errorf("claiming a run for %s: %w", quote(runner), err)
	}
	return r, ok, nil
}

// LeaseRenewal is what RenewRunLeases found of one run.
type LeaseRenewal struct {
	// Held says the run is still executing under runner's claim, now renewed. A run that is
	// not was finished or marked interrupted by someone else, and its stage must stop.
	Held bool
	// CancelRequestedBy is the user who asked, on any server, to cancel the run's stage.
	CancelRequestedBy string
}

// RenewRunLeases extends to now+lease the claims runner holds on the given runs, and says
// for each whether the claim still holds and whether a user asked to cancel it.
func (s *Store) RenewRunLeases(ctx context.Context, runner string, ids []string, lease time.Duration) (map[string]LeaseRenewal, error) {
	out := make(map[string]LeaseRenewal, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	until := formatTime(s.now().Add(lease))
	err := s.inTx(ctx, func(tx *txn) error {
		clear(out)
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE runs SET lease_expires_at = ?
				WHERE id = ? AND runner = ? AND state IN ('running', 'applying')`, until, id, runner)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			var lr LeaseRenewal
			if n == 1 {
				lr.Held = true
				if err := tx.QueryRowContext(ctx, `SELECT cancel_requested_by FROM runs WHERE id = ?`, id).Scan(&lr.CancelRequestedBy); err != nil {
					return err
				}
			}
			out[id] = lr
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("renewing the leases of %d runs for %s: %w", len(ids), quote(runner), err)
	}
	return out, nil
}

// RequestRunCancel records that user asks to cancel the stage a run is executing, for the
// server that executes it to read (RenewRunLeases). A run that is not executing is
// ErrConflict.
func (s *Store) RequestRunCancel(ctx context.Context, id, user string) error {
	if err := checkText("user name", user); err != nil {
		return fmt.Errorf("asking to cancel run %s: %w", quote(id), err)
	}
	if user == "" {
		user = "someone"
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM runs WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, err, "no such run")
		}
		if err != nil {
			return err
		}
		if st := RunState(state); st != RunRunning && st != RunApplying {
			return errorf(ErrConflict, nil, "the run is %s", st)
		}
		_, err = tx.ExecContext(ctx, `UPDATE runs SET cancel_requested_by = ? WHERE id = ?`, user, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("asking to cancel run %s: %w", quote(id), err)
	}
	return nil
}

// RunRunner returns the server executing a run's stage and when its claim lapses; an empty
// runner when no server holds it.
func (s *Store) RunRunner(ctx context.Context, id string) (runner string, leaseExpires time.Time, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT runner, lease_expires_at FROM runs WHERE id = ?`, id).
		Scan(&runner, nullTime{&leaseExpires})
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such run")
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("reading who runs run %s: %w", quote(id), err)
	}
	return runner, leaseExpires, nil
}

// ReapRuns moves to RunInterrupted, with reason as their error, the runs executing a stage
// (running or applying) whose claim has lapsed, or every executing run when all is set (a
// server that knows it is the only one, starting up), and returns them as they are now.
// Runs without a lease (from before leases) count as lapsed. Queued, planned and approved
// runs are left alone: they wait in the store for any server to take them.
func (s *Store) ReapRuns(ctx context.Context, reason string, all bool) ([]Run, error) {
	if len(reason) > MaxTextBytes {
		reason = reason[:MaxTextBytes]
	}
	now := s.now()
	var rs []Run
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		q := runSelect + ` WHERE r.state IN ('running', 'applying')`
		args := []any{}
		if !all {
			q += ` AND (r.lease_expires_at IS NULL OR r.lease_expires_at < ?)`
			args = append(args, formatTime(now))
		}
		rs, err = queryRuns(ctx, tx, q+` ORDER BY r.seq`, args...)
		if err != nil {
			return err
		}
		for i, r := range rs {
			rs[i] = applyTransition(r, RunTransition{To: RunInterrupted, Error: reason}, now)
			if _, err := tx.ExecContext(ctx, `UPDATE runs SET state = ?, finished_at = ?, error = ?, runner = '',
				lease_expires_at = NULL WHERE id = ?`,
				string(RunInterrupted), optTime(rs[i].FinishedAt), rs[i].Error, r.ID); err != nil {
				return err
			}
			if err := tx.notify(ctx, RunQueueChannel, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("marking runs with lapsed claims interrupted: %w", err)
	}
	return rs, nil
}

func validRunner(runner string) error {
	if runner == "" || len(runner) > maxRunnerBytes {
		return fmt.Errorf("runner name %s must be 1-%d bytes", quote(runner), maxRunnerBytes)
	}
	return nil
}
