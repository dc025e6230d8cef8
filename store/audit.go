package store

import (
	"context"
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
}

// RecordAudit appends e to the audit log; At is set to now when zero. Texts longer than
// MaxTextBytes are cut, so a hostile name cannot flood the log.
func (s *Store) RecordAudit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO audit_log (at, user, action, project, target, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		formatTime(e.At), cut(e.User), cut(e.Action), cut(e.Project), cut(e.Target), cut(e.Detail))
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
	q := `SELECT id, at, user, action, project, target, detail FROM audit_log`
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
		if err := rows.Scan(&e.ID, timeColumn{&e.At}, &e.User, &e.Action, &e.Project, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	return es, nil
}
