package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// maxRunProgressBytes bounds a run's progress as stored: a few numbers in JSON.
const maxRunProgressBytes = 1 << 10

// SetRunProgress records how far a run's stage has got (the runs package's Progress as
// JSON), replacing what was recorded. A missing run is ErrNotFound; more than 1 KiB is
// ErrTooLarge.
func (s *Store) SetRunProgress(ctx context.Context, runID string, progress []byte) error {
	fail := func(err error) error {
		return fmt.Errorf("recording the progress of run %s: %w", quote(runID), err)
	}
	if len(progress) > maxRunProgressBytes {
		return fail(errorf(ErrTooLarge, nil, "the progress is %d bytes; the limit is %d", len(progress), maxRunProgressBytes))
	}
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET progress = ? WHERE id = ?`, string(progress), runID)
	if err != nil {
		return fail(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fail(err)
	} else if n == 0 {
		return fail(errorf(ErrNotFound, sql.ErrNoRows, "no such run"))
	}
	return nil
}

// RunProgress returns what SetRunProgress recorded last for a run, nil when nothing. A
// missing run is ErrNotFound.
func (s *Store) RunProgress(ctx context.Context, runID string) ([]byte, error) {
	var p sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT progress FROM runs WHERE id = ?`, runID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such run")
	}
	if err != nil {
		return nil, fmt.Errorf("reading the progress of run %s: %w", quote(runID), err)
	}
	if !p.Valid {
		return nil, nil
	}
	return []byte(p.String), nil
}
