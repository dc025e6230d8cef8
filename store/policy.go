package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MaxPolicyBytes bounds a project's rule file; real ones are a few hundred bytes.
const MaxPolicyBytes = 64 << 10

// ProjectPolicy returns the project's guardrail rule document, opaque to the store.
// ErrNotFound means the project has none (it uses the defaults) or does not exist.
func (s *Store) ProjectPolicy(ctx context.Context, project string) ([]byte, error) {
	var doc []byte
	err := s.db.QueryRowContext(ctx,
		`SELECT pp.document FROM project_policies pp JOIN projects p ON p.id = pp.project_id WHERE p.name = ?`,
		project).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "the project has no rule file")
	}
	if err != nil {
		return nil, fmt.Errorf("reading the rules of project %q: %w", project, err)
	}
	return doc, nil
}

// SetProjectPolicy stores the project's rule document, replacing the previous one.
func (s *Store) SetProjectPolicy(ctx context.Context, project string, document []byte) error {
	fail := func(err error) error { return fmt.Errorf("saving the rules of project %q: %w", project, err) }
	if len(document) > MaxPolicyBytes {
		return fail(errorf(ErrTooLarge, nil, "the rule file is %d bytes, more than %d", len(document), MaxPolicyBytes))
	}
	return s.inTx(ctx, func(tx *txn) error {
		id, err := projectID(ctx, tx, project)
		if err != nil {
			return fail(err)
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO project_policies (project_id, document, updated_at) VALUES (?, ?, ?)
			 ON CONFLICT (project_id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
			id, bytes.Clone(blob(document)), formatTime(s.now()))
		if err != nil {
			return fail(err)
		}
		return nil
	})
}
