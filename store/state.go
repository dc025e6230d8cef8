package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// MaxStateLockInfoBytes is the largest lock info document the store keeps.
const MaxStateLockInfoBytes = 64 << 10

// maxLockIDBytes matches the CHECK on state_locks.lock_id.
const maxLockIDBytes = 256

// StateVersion is one Terraform state written to a deployment through
// CloudOven's http backend. The state itself lives in a blob store under
// BlobKey; the store keeps what the UI shows without reading it.
type StateVersion struct {
	DeploymentID int64
	// Version counts from 1 within the deployment, in the order the
	// versions were written.
	Version int
	// Serial and Lineage are Terraform's own.
	Serial    int64
	Lineage   string
	SHA256    string
	BlobKey   string
	Size      int64
	Outputs   map[string]StateOutput
	Resources int
	// RunID is the run whose credentials wrote the version; empty when
	// unknown.
	RunID     string
	CreatedAt time.Time
}

// StateOutput describes a root module output of a state: its type and
// whether it is sensitive. Values are never kept.
type StateOutput struct {
	Sensitive bool `json:"sensitive"`
	// Type is the output's type as Terraform writes it in the state, for
	// example "string" or ["list","string"].
	Type json.RawMessage `json:"type,omitempty"`
}

// StateLock is the lock Terraform holds on a deployment's state.
type StateLock struct {
	DeploymentID int64
	// ID is the lock ID Terraform chose.
	ID string
	// RunID is the run whose credentials took the lock; only that run
	// releases it or writes state under it. Empty for a lock taken
	// without a run (before CloudOven recorded one).
	RunID string
	// Info is the lock info JSON Terraform sent with the lock request. Its
	// holder wrote it, so it describes the lock but proves nothing.
	Info      []byte
	CreatedAt time.Time
}

// AddStateVersion records v as the deployment's newest state version and
// returns it as stored, with Version and CreatedAt set.
//
// The checks run in the same transaction as the insert, so two writers
// cannot both pass them:
//   - while the state is locked, lockID must be the lock's ID and v.RunID
//     the run that took it; a lockID given while the state is not locked
//     (the lock was lost, for example force-unlocked) is refused as well.
//     Both are ErrConflict.
//   - a serial lower than the newest version's of the same lineage is
//     ErrConflict, and so is the same serial with other contents.
//
// Writing the newest version again (same lineage, serial and SHA256)
// stores nothing and returns that version. A missing deployment is
// ErrNotFound.
func (s *Store) AddStateVersion(ctx context.Context, v StateVersion, lockID string) (StateVersion, error) {
	fail := func(err error) (StateVersion, error) {
		return StateVersion{}, fmt.Errorf("adding state version (serial %d) to deployment %d: %w", v.Serial, v.DeploymentID, err)
	}
	if len(v.SHA256) != 64 {
		return fail(fmt.Errorf("sha256 %s is not 64 hex digits", quote(v.SHA256)))
	}
	if v.BlobKey == "" || len(v.BlobKey) > 1024 {
		return fail(fmt.Errorf("blob key %s is empty or longer than 1024 bytes", quote(v.BlobKey)))
	}
	if v.Serial < 0 || v.Size < 0 || v.Resources < 0 {
		return fail(errors.New("serial, size and resources must not be negative"))
	}
	if err := checkText("lineage", v.Lineage); err != nil {
		return fail(err)
	}
	if len(v.RunID) > maxRunIDBytes {
		return fail(fmt.Errorf("run id %s is longer than %d bytes", quote(v.RunID), maxRunIDBytes))
	}
	if v.Outputs == nil {
		v.Outputs = map[string]StateOutput{}
	}
	outputs, err := json.Marshal(v.Outputs)
	if err != nil {
		return fail(fmt.Errorf("encoding outputs: %w", err))
	}
	if err := checkDocument(outputs); err != nil {
		return fail(err)
	}
	v.CreatedAt = s.now()
	err = s.inTx(ctx, func(tx *txn) error {
		if err := deploymentExists(ctx, tx, v.DeploymentID); err != nil {
			return err
		}
		if err := checkLockHolder(ctx, tx, v.DeploymentID, lockID, v.RunID); err != nil {
			return err
		}
		latest, err := scanStateVersion(tx.QueryRowContext(ctx,
			stateVersionSelect+` WHERE deployment_id = ? ORDER BY version DESC LIMIT 1`, v.DeploymentID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case latest.Lineage == v.Lineage && latest.Serial == v.Serial && latest.SHA256 == v.SHA256:
			v = latest
			return nil
		case latest.Lineage == v.Lineage && latest.Serial > v.Serial:
			return errorf(ErrConflict, nil, "serial %d is older than the stored serial %d of the same lineage", v.Serial, latest.Serial)
		case latest.Lineage == v.Lineage && latest.Serial == v.Serial:
			return errorf(ErrConflict, nil, "serial %d is stored already with other contents", v.Serial)
		}
		v.Version = latest.Version + 1
		_, err = tx.ExecContext(ctx, `INSERT INTO state_versions
			(deployment_id, version, serial, lineage, sha256, blob_key, size, outputs, resources, run_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.DeploymentID, v.Version, v.Serial, v.Lineage, v.SHA256, v.BlobKey, v.Size, string(outputs), v.Resources,
			optString(v.RunID), formatTime(v.CreatedAt))
		return err
	})
	if err != nil {
		return fail(err)
	}
	return v, nil
}

func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func deploymentExists(ctx context.Context, q querier, id int64) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM deployments WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errorf(ErrNotFound, sql.ErrNoRows, "no such deployment")
	}
	return nil
}

// checkLockHolder refuses a write unless lockID is the held lock's ID and
// runID the run that took it, or no lock is held and none is claimed.
func checkLockHolder(ctx context.Context, q querier, deploymentID int64, lockID, runID string) error {
	held, err := stateLock(ctx, q, deploymentID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if lockID != "" {
			return errorf(ErrConflict, nil, "lock %s is not held: the state is not locked", quote(lockID))
		}
		return nil
	case err != nil:
		return err
	case held.ID != lockID:
		return errorf(ErrConflict, nil, "the state is locked by lock %s", quote(held.ID))
	case held.RunID != runID:
		return errorf(ErrConflict, nil, "lock %s was taken by %s", quote(held.ID), lockOwner(held))
	}
	return nil
}

// lockOwner names who took a lock, for errors.
func lockOwner(l StateLock) string {
	if l.RunID == "" {
		return "no run"
	}
	return "run " + l.RunID
}

const stateVersionSelect = `SELECT deployment_id, version, serial, lineage, sha256, blob_key, size, outputs, resources,
	run_id, created_at FROM state_versions`

func scanStateVersion(row interface{ Scan(...any) error }) (StateVersion, error) {
	var v StateVersion
	var outputs string
	var runID sql.NullString
	err := row.Scan(&v.DeploymentID, &v.Version, &v.Serial, &v.Lineage, &v.SHA256, &v.BlobKey, &v.Size, &outputs,
		&v.Resources, &runID, timeColumn{&v.CreatedAt})
	if err != nil {
		return StateVersion{}, err
	}
	v.RunID = runID.String
	if err := json.Unmarshal([]byte(outputs), &v.Outputs); err != nil {
		return StateVersion{}, fmt.Errorf("decoding outputs of state version %d: %w", v.Version, err)
	}
	return v, nil
}

// StateVersions lists a deployment's state versions, newest first, at most
// limit of them (all when limit <= 0). A deployment without state, or a
// missing one, has none.
func (s *Store) StateVersions(ctx context.Context, deploymentID int64, limit int) ([]StateVersion, error) {
	if limit <= 0 {
		limit = noLimit
	}
	fail := func(err error) ([]StateVersion, error) {
		return nil, fmt.Errorf("listing state versions of deployment %d: %w", deploymentID, err)
	}
	rows, err := s.db.QueryContext(ctx, stateVersionSelect+` WHERE deployment_id = ? ORDER BY version DESC LIMIT ?`,
		deploymentID, limit)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var vs []StateVersion
	for rows.Next() {
		v, err := scanStateVersion(rows)
		if err != nil {
			return fail(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return vs, nil
}

// LatestStateVersion returns a deployment's newest state version, or
// ErrNotFound when it has none.
func (s *Store) LatestStateVersion(ctx context.Context, deploymentID int64) (StateVersion, error) {
	v, err := scanStateVersion(s.db.QueryRowContext(ctx,
		stateVersionSelect+` WHERE deployment_id = ? ORDER BY version DESC LIMIT 1`, deploymentID))
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "the deployment has no state")
	}
	if err != nil {
		return StateVersion{}, fmt.Errorf("reading the latest state version of deployment %d: %w", deploymentID, err)
	}
	return v, nil
}

// StateVersion returns version number version of a deployment's state, or ErrNotFound.
func (s *Store) StateVersion(ctx context.Context, deploymentID int64, version int) (StateVersion, error) {
	v, err := scanStateVersion(s.db.QueryRowContext(ctx,
		stateVersionSelect+` WHERE deployment_id = ? AND version = ?`, deploymentID, version))
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no state version %d", version)
	}
	if err != nil {
		return StateVersion{}, fmt.Errorf("reading state version %d of deployment %d: %w", version, deploymentID, err)
	}
	return v, nil
}

func stateLock(ctx context.Context, q querier, deploymentID int64) (StateLock, error) {
	l := StateLock{DeploymentID: deploymentID}
	var info string
	var runID sql.NullString
	err := q.QueryRowContext(ctx, `SELECT lock_id, run_id, info, created_at FROM state_locks WHERE deployment_id = ?`, deploymentID).
		Scan(&l.ID, &runID, &info, timeColumn{&l.CreatedAt})
	l.Info, l.RunID = []byte(info), runID.String
	return l, err
}

// StateLock returns the lock held on a deployment's state, or ErrNotFound
// when it is not locked.
func (s *Store) StateLock(ctx context.Context, deploymentID int64) (StateLock, error) {
	l, err := stateLock(ctx, s.db, deploymentID)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "the state is not locked")
	}
	if err != nil {
		return StateLock{}, fmt.Errorf("reading the state lock of deployment %d: %w", deploymentID, err)
	}
	return l, nil
}

// LockState locks a deployment's state with l.ID and l.Info (a JSON
// object) on behalf of run l.RunID, and returns the lock as stored. When
// the state is locked already, it returns the held lock together with an
// error wrapping ErrConflict, unless l names the held lock and its run:
// locking again with the same ID from the same run succeeds and keeps the
// held lock. A missing deployment is ErrNotFound.
func (s *Store) LockState(ctx context.Context, deploymentID int64, l StateLock) (StateLock, error) {
	fail := func(held StateLock, err error) (StateLock, error) {
		return held, fmt.Errorf("locking the state of deployment %d: %w", deploymentID, err)
	}
	if l.ID == "" || len(l.ID) > maxLockIDBytes {
		return fail(StateLock{}, fmt.Errorf("lock id %s is empty or longer than %d bytes", quote(l.ID), maxLockIDBytes))
	}
	if len(l.RunID) > maxRunIDBytes {
		return fail(StateLock{}, fmt.Errorf("run id %s is longer than %d bytes", quote(l.RunID), maxRunIDBytes))
	}
	if len(l.Info) > MaxStateLockInfoBytes {
		return fail(StateLock{}, errorf(ErrTooLarge, nil, "lock info is %d bytes; the limit is %d", len(l.Info), MaxStateLockInfoBytes))
	}
	var obj map[string]any
	if err := json.Unmarshal(l.Info, &obj); err != nil {
		return fail(StateLock{}, fmt.Errorf("lock info is not a JSON object: %w", err))
	}
	l.DeploymentID, l.CreatedAt = deploymentID, s.now()
	var held StateLock
	err := s.inTx(ctx, func(tx *txn) error {
		if err := deploymentExists(ctx, tx, deploymentID); err != nil {
			return err
		}
		var err error
		held, err = stateLock(ctx, tx, deploymentID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case held.ID == l.ID && held.RunID == l.RunID:
			return nil
		default:
			return errorf(ErrConflict, nil, "the state is locked by lock %s of %s", quote(held.ID), lockOwner(held))
		}
		held = l
		_, err = tx.ExecContext(ctx, `INSERT INTO state_locks (deployment_id, lock_id, run_id, info, created_at) VALUES (?, ?, ?, ?, ?)`,
			deploymentID, l.ID, optString(l.RunID), string(l.Info), formatTime(l.CreatedAt))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return fail(held, err)
		}
		return fail(StateLock{}, err)
	}
	return held, nil
}

// UnlockState releases the lock l names: its ID, taken by run l.RunID.
// When another lock, or the same ID taken by another run, holds the state,
// it returns the held lock together with an error wrapping ErrConflict.
// Unlocking a state that is not locked succeeds: the caller's lock is gone
// either way.
func (s *Store) UnlockState(ctx context.Context, deploymentID int64, l StateLock) (StateLock, error) {
	var held StateLock
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		held, err = stateLock(ctx, tx, deploymentID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			held = StateLock{}
			return nil
		case err != nil:
			return err
		case held.ID != l.ID:
			return errorf(ErrConflict, nil, "the state is locked by lock %s, not %s", quote(held.ID), quote(l.ID))
		case held.RunID != l.RunID:
			return errorf(ErrConflict, nil, "lock %s was taken by %s", quote(held.ID), lockOwner(held))
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM state_locks WHERE deployment_id = ?`, deploymentID)
		return err
	})
	if err != nil {
		err = fmt.Errorf("unlocking the state of deployment %d: %w", deploymentID, err)
		if errors.Is(err, ErrConflict) {
			return held, err
		}
		return StateLock{}, err
	}
	return held, nil
}

// ForceUnlockState releases whatever lock is held on a deployment's state
// and returns it; ok is false when the state was not locked.
func (s *Store) ForceUnlockState(ctx context.Context, deploymentID int64) (held StateLock, ok bool, err error) {
	err = s.inTx(ctx, func(tx *txn) error {
		var err error
		held, err = stateLock(ctx, tx, deploymentID)
		if errors.Is(err, sql.ErrNoRows) {
			held = StateLock{}
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		_, err = tx.ExecContext(ctx, `DELETE FROM state_locks WHERE deployment_id = ?`, deploymentID)
		return err
	})
	if err != nil {
		return StateLock{}, false, fmt.Errorf("force-unlocking the state of deployment %d: %w", deploymentID, err)
	}
	return held, ok, nil
}

// BreakStateLock releases the lock lockID on a deployment's state, whoever
// took it, and returns it: an operator's force-unlock of the lock they were
// shown. When the state is not locked it returns ErrNotFound; when another
// lock holds it now, that lock together with an error wrapping
// ErrConflict, and nothing is released.
func (s *Store) BreakStateLock(ctx context.Context, deploymentID int64, lockID string) (StateLock, error) {
	var held StateLock
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		held, err = stateLock(ctx, tx, deploymentID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errorf(ErrNotFound, err, "the state is not locked")
		case err != nil:
			return err
		case held.ID != lockID:
			return errorf(ErrConflict, nil, "the state is locked by lock %s now, not %s", quote(held.ID), quote(lockID))
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM state_locks WHERE deployment_id = ? AND lock_id = ?`, deploymentID, lockID)
		return err
	})
	if err != nil {
		err = fmt.Errorf("force-unlocking lock %s of deployment %d: %w", quote(lockID), deploymentID, err)
		if errors.Is(err, ErrConflict) {
			return held, err
		}
		return StateLock{}, err
	}
	return held, nil
}
