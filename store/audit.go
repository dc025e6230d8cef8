package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log: who did what, in which project, to what.
// Users and projects are named, not referenced, so entries outlive them.
type AuditEntry struct {
	ID      int64
	At      time.Time
	User    string
	Action  string // e.g. signin, signin.failure, blueprint.import, member.add
	Project string
	Target  string
	Detail  string
	// Count is how many times the event happened, 1 unless recorded with
	// RecordRepeatedAudit; Last is when it last happened, zero when Count is 1.
	Count int
	Last  time.Time
}

// RecordAudit appends e to the audit log; At is set to now when zero. Texts longer than
// MaxTextBytes are cut, so a hostile name cannot flood the log.
func (s *Store) RecordAudit(ctx context.Context, e AuditEntry) error {
	return s.recordAudit(ctx, s.db, e, "")
}

func (s *Store) recordAudit(ctx context.Context, db interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}, e AuditEntry, repeatKey string) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	_, err := db.ExecContext(ctx, `INSERT INTO audit_log (at, "user", action, project, target, detail, repeat_key) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		formatTime(e.At), cut(e.User), cut(e.Action), cut(e.Project), cut(e.Target), cut(e.Detail), cut(repeatKey))
	if err != nil {
		return fmt.Errorf("recording %s in the audit log: %w", e.Action, err)
	}
	return nil
}

// RecordRepeatedAudit records an event that may repeat without bound (a refused sign-in)
// as one row per key and window: when the newest row recorded under key is less than
// window old (by its At), that row's count goes up by one and its last time becomes e.At;
// otherwise e starts a new row. The row keeps the texts of its first event.
func (s *Store) RecordRepeatedAudit(ctx context.Context, e AuditEntry, key string, window time.Duration) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM audit_log WHERE repeat_key = ? AND at > ? ORDER BY id DESC LIMIT 1`,
			cut(key), formatTime(e.At.Add(-window))).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return s.recordAudit(ctx, tx, e, key)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE audit_log SET count = count + 1, last_at = ? WHERE id = ?`, formatTime(e.At), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("recording %s in the audit log: %w", e.Action, err)
	}
	return nil
}

func cut(s string) string {
	if len(s) > MaxTextBytes {
		return s[:MaxTextBytes]
	}
	return s
}

// AuditLog lists the newest entries first, at most limit of them: those of project, or
// every entry when project is "".
func (s *Store) AuditLog(ctx context.Context, project string, limit int) ([]AuditEntry, error) {
	q := `SELECT id, at, "user", action, project, target, detail, count, last_at FROM audit_log`
	args := []any{}
	if project != "" {
		q += ` WHERE project = ?`
		args = append(args, project)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	defer rows.Close()
	var es []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var last string
		if err := rows.Scan(&e.ID, timeColumn{&e.At}, &e.User, &e.Action, &e.Project, &e.Target, &e.Detail, &e.Count, &last); err != nil {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		if last != "" {
			if err := (timeColumn{&e.Last}).Scan(last); err != nil {
				return nil, fmt.Errorf("reading the audit log: %w", err)
			}
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	return es, nil
}
