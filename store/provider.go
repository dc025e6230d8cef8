package store

import (
	"context"
	"fmt"
	"time"
)

// MaxProjectProviders bounds how many provider sources one project allows.
const MaxProjectProviders = 100

// maxSourceBytes is the longest provider source the store keeps (the column's CHECK).
const maxSourceBytes = 255

// ProjectProvider is a provider source a project allows beyond the catalog's, with who
// allowed it and when.
type ProjectProvider struct {
	Source  string
	AddedBy string
	AddedAt time.Time
}

// ProjectProviders lists the provider sources project allows, ordered by source. A project
// that does not exist is ErrNotFound.
func (s *Store) ProjectProviders(ctx context.Context, project string) ([]ProjectProvider, error) {
	fail := func(err error) ([]ProjectProvider, error) {
		return nil, fmt.Errorf("reading the providers project %q allows: %w", project, err)
	}
	id, err := projectID(ctx, s.db, project)
	if err != nil {
		return fail(err)
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT source, added_by, added_at FROM project_providers WHERE project_id = ? ORDER BY source`, id)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var out []ProjectProvider
	for rows.Next() {
		var p ProjectProvider
		if err := rows.Scan(&p.Source, &p.AddedBy, timeColumn{&p.AddedAt}); err != nil {
			return fail(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return out, nil
}

// AllowProvider adds source to the provider sources project allows, as allowed by user.
// The store keeps source as given: callers check and normalize it first
// (policy.ParseProviderSource). An empty source or one over 255 bytes is ErrInvalidName, one
// the project allows already ErrConflict, one more than MaxProjectProviders ErrTooLarge, and
// a project that does not exist ErrNotFound.
func (s *Store) AllowProvider(ctx context.Context, project, source, user string) (ProjectProvider, error) {
	fail := func(err error) (ProjectProvider, error) {
		return ProjectProvider{}, fmt.Errorf("allowing provider %s in project %q: %w", quote(source), project, err)
	}
	if source == "" || len(source) > maxSourceBytes {
		return fail(errorf(ErrInvalidName, nil, "a provider source is 1 to %d bytes", maxSourceBytes))
	}
	if err := checkText("the user name", user); err != nil {
		return fail(err)
	}
	p := ProjectProvider{Source: source, AddedBy: user, AddedAt: s.now()}
	err := s.inTx(ctx, func(tx *txn) error {
		id, err := projectID(ctx, tx, project)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM project_providers WHERE project_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n >= MaxProjectProviders {
			return errorf(ErrTooLarge, nil, "the project allows %d provider sources already, the most it may", n)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO project_providers (project_id, source, added_by, added_at) VALUES (?, ?, ?, ?)`,
			id, p.Source, p.AddedBy, formatTime(p.AddedAt))
		if isUnique(err) {
			return errorf(ErrConflict, err, "the project allows it already")
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	return p, nil
}

// DisallowProvider removes source from the provider sources project allows. A source the
// project does not allow, or a project that does not exist, is ErrNotFound.
func (s *Store) DisallowProvider(ctx context.Context, project, source string) error {
	err := s.inTx(ctx, func(tx *txn) error {
		id, err := projectID(ctx, tx, project)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM project_providers WHERE project_id = ? AND source = ?`, id, source)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errorf(ErrNotFound, nil, "the project does not allow it")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("taking back provider %s in project %q: %w", quote(source), project, err)
	}
	return nil
}
