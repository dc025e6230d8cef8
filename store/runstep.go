package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// StepState is where one step of a run's stage is.
type StepState string

// The step states.
const (
	StepPending  StepState = "pending"  // not started yet
	StepRunning  StepState = "running"  // started, not finished
	StepDone     StepState = "done"     // finished and passed
	StepFailed   StepState = "failed"   // finished and failed: the stage ended there
	StepSkipped  StepState = "skipped"  // never ran: an earlier step failed
	StepCanceled StepState = "canceled" // stopped by a cancel or the server stopping
)

func (s StepState) valid() bool {
	switch s {
	case StepPending, StepRunning, StepDone, StepFailed, StepSkipped, StepCanceled:
		return true
	}
	return false
}

// maxStepNameBytes matches the CHECK on run_steps.step.
const maxStepNameBytes = 32

// RunStep is one step of a run's stages as the runner reported it: Step names it by its
// stage ("plan.check", "apply.apply"), Position orders the run's steps.
type RunStep struct {
	Step     string
	Position int
	State    StepState
	// StartedAt and FinishedAt are zero while unknown.
	StartedAt  time.Time
	FinishedAt time.Time
}

// SetRunStep records a step of a run, replacing what was recorded for it. A missing run is
// ErrNotFound.
func (s *Store) SetRunStep(ctx context.Context, runID string, st RunStep) error {
	fail := func(err error) error {
		return fmt.Errorf("recording step %s of run %s: %w", quote(st.Step), quote(runID), err)
	}
	switch {
	case st.Step == "" || len(st.Step) > maxStepNameBytes:
		return fail(errorf(ErrInvalidName, nil, "a step name has 1 to %d bytes", maxStepNameBytes))
	case !st.State.valid():
		return fail(fmt.Errorf("step state %s is not one of pending, running, done, failed, skipped, canceled", quote(string(st.State))))
	case st.Position < 0:
		return fail(fmt.Errorf("position %d is negative", st.Position))
	}
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO run_steps (run_id, step, position, state, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (run_id, step) DO UPDATE SET position = excluded.position, state = excluded.state,
			started_at = excluded.started_at, finished_at = excluded.finished_at`,
		runID, st.Step, st.Position, string(st.State), optionalTime(st.StartedAt), optionalTime(st.FinishedAt))
	if err != nil {
		if isForeignKey(err) {
			return fail(errorf(ErrNotFound, err, "no such run"))
		}
		return fail(err)
	}
	return nil
}

// RunSteps returns the steps recorded for a run in order; none for a run from before they
// were recorded, or a missing one.
func (s *Store) RunSteps(ctx context.Context, runID string) ([]RunStep, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT step, position, state, started_at, finished_at FROM run_steps WHERE run_id = ? ORDER BY position, step`, runID)
	if err != nil {
		return nil, fmt.Errorf("reading the steps of run %s: %w", quote(runID), err)
	}
	defer rows.Close()
	var out []RunStep
	for rows.Next() {
		var st RunStep
		var state string
		if err := rows.Scan(&st.Step, &st.Position, &state, nullTime{&st.StartedAt}, nullTime{&st.FinishedAt}); err != nil {
			return nil, fmt.Errorf("reading the steps of run %s: %w", quote(runID), err)
		}
		st.State = StepState(state)
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the steps of run %s: %w", quote(runID), err)
	}
	return out, nil
}

// Limits of what a run keeps of its diagnostics: the CHECKs of run_diagnostics.
const (
	// MaxRunDiagnostics is how many diagnostics a run keeps.
	MaxRunDiagnostics       = 50
	maxDiagnosticSummary    = 1024
	maxDiagnosticDetail     = 8192
	maxDiagnosticFile       = 256
	maxDiagnosticAddressLen = 512
)

// RunDiagnostic is one of terraform's errors or warnings in a run, redacted as the run's
// log is. Path is the blueprint field it was placed on ("" when none); File and Line where
// terraform put it in the generated files (empty and 0 when it gave no range).
type RunDiagnostic struct {
	Step     string // the step that reported it ("plan.check")
	Severity string // "error" or "warning"
	Summary  string
	Detail   string
	File     string
	Line     int
	Address  string // the resource terraform named, if any
	Path     string
}

// AddRunDiagnostics appends diagnostics to a run's, in one transaction, up to
// MaxRunDiagnostics in all: it returns how many it kept, the rest are dropped. Fields
// longer than their limit are cut short on a character boundary with "…". A missing run is
// ErrNotFound.
func (s *Store) AddRunDiagnostics(ctx context.Context, runID string, ds []RunDiagnostic) (int, error) {
	fail := func(err error) (int, error) {
		return 0, fmt.Errorf("recording the diagnostics of run %s: %w", quote(runID), err)
	}
	for _, d := range ds {
		if d.Severity != "error" && d.Severity != "warning" {
			return fail(fmt.Errorf("severity %s is not error or warning", quote(d.Severity)))
		}
		if len(d.Step) > maxStepNameBytes {
			return fail(errorf(ErrInvalidName, nil, "a step name has at most %d bytes", maxStepNameBytes))
		}
	}
	kept := 0
	err := s.inTx(ctx, func(tx *txn) error {
		var n, last int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE id = ?`, runID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errorf(ErrNotFound, sql.ErrNoRows, "no such run")
		}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM run_diagnostics WHERE run_id = ?`, runID).Scan(&last); err != nil {
			return err
		}
		for _, d := range ds {
			if last >= MaxRunDiagnostics {
				break
			}
			last++
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO run_diagnostics (run_id, seq, step, severity, summary, detail, file, line, address, path)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				runID, last, d.Step, d.Severity, clip(d.Summary, maxDiagnosticSummary), clip(d.Detail, maxDiagnosticDetail),
				clip(d.File, maxDiagnosticFile), max(d.Line, 0), clip(d.Address, maxDiagnosticAddressLen), clip(d.Path, maxDiagnosticAddressLen)); err != nil {
				return err
			}
			kept++
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return kept, nil
}

// RunDiagnostics returns a run's diagnostics in the order they were recorded.
func (s *Store) RunDiagnostics(ctx context.Context, runID string) ([]RunDiagnostic, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT step, severity, summary, detail, file, line, address, path FROM run_diagnostics WHERE run_id = ? ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("reading the diagnostics of run %s: %w", quote(runID), err)
	}
	defer rows.Close()
	var out []RunDiagnostic
	for rows.Next() {
		var d RunDiagnostic
		if err := rows.Scan(&d.Step, &d.Severity, &d.Summary, &d.Detail, &d.File, &d.Line, &d.Address, &d.Path); err != nil {
			return nil, fmt.Errorf("reading the diagnostics of run %s: %w", quote(runID), err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the diagnostics of run %s: %w", quote(runID), err)
	}
	return out, nil
}

// clip shortens s to at most n bytes, on a character boundary, ending it with "…" when it
// was cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// A rune cut in two is invalid UTF-8, which ToValidUTF8 drops.
	return strings.ToValidUTF8(s[:n-len("…")], "") + "…"
}

// optionalTime stores a zero time as NULL.
func optionalTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}
