package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MaxRunLogLineBytes is the longest log line the store keeps; the runs
// package splits longer output before it gets here.
const MaxRunLogLineBytes = 64 << 10

// RunLogChannel is the channel AppendRunLog and SetRunLogOpen notify
// with the run's id (see Listen).
const RunLogChannel = "run_log"

// RunLogLine is one line of a run's output. Seq counts from 1.
type RunLogLine struct {
	Seq  int
	Text string
}

// AppendRunLog stores lines of a run's output in one transaction. Their
// Seq must be new for the run (ErrConflict otherwise, and nothing is
// stored); a missing run is ErrNotFound. Lines over MaxRunLogLineBytes are
// ErrTooLarge. Listeners of RunLogChannel get the run's id once the lines
// are visible.
func (s *Store) AppendRunLog(ctx context.Context, runID string, lines []RunLogLine) error {
	if len(lines) == 0 {
		return nil
	}
	fail := func(err error) error {
		return fmt.Errorf("appending %d lines to the log of run %s: %w", len(lines), quote(runID), err)
	}
	for _, l := range lines {
		if len(l.Text) > MaxRunLogLineBytes {
			return fail(errorf(ErrTooLarge, nil, "line %d is %d bytes; the limit is %d", l.Seq, len(l.Text), MaxRunLogLineBytes))
		}
		if l.Seq < 1 {
			return fail(fmt.Errorf("line sequence %d is not positive", l.Seq))
		}
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE id = ?`, runID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errorf(ErrNotFound, sql.ErrNoRows, "no such run")
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO run_log_lines (run_id, seq, line) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, l := range lines {
			if _, err := stmt.ExecContext(ctx, runID, l.Seq, l.Text); err != nil {
				if isUnique(err) {
					return errorf(ErrConflict, err, "line %d is already stored", l.Seq)
				}
				return err
			}
		}
		return tx.notify(ctx, RunLogChannel, runID)
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// SetRunLogOpen marks a run's log open (a stage may still append to it) or
// closed (every line of its stages so far is stored). A new run's log is
// open. Listeners of RunLogChannel get the run's id once the mark is
// visible. A missing run is ErrNotFound.
func (s *Store) SetRunLogOpen(ctx context.Context, runID string, open bool) error {
	what := "closing"
	if open {
		what = "opening"
	}
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE runs SET log_open = ? WHERE id = ?`, open, runID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errorf(ErrNotFound, sql.ErrNoRows, "no such run")
		}
		return tx.notify(ctx, RunLogChannel, runID)
	})
	if err != nil {
		return fmt.Errorf("%s the log of run %s: %w", what, quote(runID), err)
	}
	return nil
}

// RunLogOpen reports whether a run's log is open (see SetRunLogOpen). A
// missing run is ErrNotFound.
func (s *Store) RunLogOpen(ctx context.Context, runID string) (bool, error) {
	var open bool
	err := s.db.QueryRowContext(ctx, `SELECT log_open <> 0 FROM runs WHERE id = ?`, runID).Scan(&open)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such run")
	}
	if err != nil {
		return false, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
	}
	return open, nil
}

// RunLog returns the lines of a run's output after afterSeq in order, at
// most limit of them (all when limit <= 0), from the database and, for a
// finished run whose log was archived (ArchiveRunLog), from its archive. A
// run without output, or a missing run, has no lines.
func (s *Store) RunLog(ctx context.Context, runID string, afterSeq, limit int) ([]RunLogLine, error) {
	archived, lines, err := s.runLogRows(ctx, runID, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	if archived <= afterSeq {
		return lines, nil
	}
	old, err := s.archivedLog(ctx, runID, archived)
	if err != nil {
		return nil, err
	}
	return linesAfter(mergeLog(linesAfter(old, afterSeq, 0), lines), afterSeq, limit), nil
}

// runLogRows reads, in one statement (so as one snapshot, whatever ArchiveRunLog does
// meanwhile), the Seq of a run's last archived line and its lines in the database after
// afterSeq, at most limit (all when limit <= 0).
func (s *Store) runLogRows(ctx context.Context, runID string, afterSeq, limit int) (int, []RunLogLine, error) {
	if limit <= 0 {
		limit = noLimit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.log_archive_seq, l.seq, l.line FROM runs r
		LEFT JOIN run_log_lines l ON l.run_id = r.id AND l.seq > ?
		WHERE r.id = ? ORDER BY l.seq LIMIT ?`, afterSeq, runID, limit)
	if err != nil {
		return 0, nil, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
	}
	defer rows.Close()
	var archived int
	var ls []RunLogLine
	for rows.Next() {
		var seq sql.NullInt64
		var text sql.NullString
		if err := rows.Scan(&archived, &seq, &text); err != nil {
			return 0, nil, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
		}
		if seq.Valid {
			ls = append(ls, RunLogLine{Seq: int(seq.Int64), Text: text.String})
		}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
	}
	return archived, ls, nil
}

// tableLog returns the lines of a run's log the database holds after afterSeq, at most
// limit.
func (s *Store) tableLog(ctx context.Context, runID string, afterSeq, limit int) ([]RunLogLine, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT seq, line FROM run_log_lines WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?`, runID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
	}
	defer rows.Close()
	var ls []RunLogLine
	for rows.Next() {
		var l RunLogLine
		if err := rows.Scan(&l.Seq, &l.Text); err != nil {
			return nil, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
		}
		ls = append(ls, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
	}
	return ls, nil
}

// LastRunLogSeq returns the Seq of a run's last stored line, 0 when it has
// none.
func (s *Store) LastRunLogSeq(ctx context.Context, runID string) (int, error) {
	var archived, n int
	err := s.db.QueryRowContext(ctx, `SELECT r.log_archive_seq,
		(SELECT coalesce(max(l.seq), 0) FROM run_log_lines l WHERE l.run_id = r.id) FROM runs r WHERE r.id = ?`, runID).Scan(&archived, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
	}
	return max(archived, n), nil
}

// RunLogSeqOf returns the Seq of the first line of a run's log that is exactly text, 0 when
// there is none.
func (s *Store) RunLogSeqOf(ctx context.Context, runID, text string) (int, error) {
	var archived, n int
	err := s.db.QueryRowContext(ctx, `SELECT r.log_archive_seq,
		(SELECT coalesce(min(l.seq), 0) FROM run_log_lines l WHERE l.run_id = r.id AND l.line = ?) FROM runs r WHERE r.id = ?`,
		text, runID).Scan(&archived, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the log of run %s: %w", quote(runID), err)
	}
	if archived > 0 {
		old, err := s.archivedLog(ctx, runID, archived)
		if err != nil {
			return 0, err
		}
		for _, l := range old {
			if l.Text == text {
				return l.Seq, nil
			}
		}
	}
	return n, nil
}
