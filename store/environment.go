package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Environment is a deployment target of a project (dev, staging, prod).
// Document is opaque to the store; unlike a blueprint it is edited in
// place, without history.
type Environment struct {
	ID        int64
	ProjectID int64
	Name      string
	Document  []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateEnvironment creates an environment in project. A name already in
// use there is ErrConflict.
func (s *Store) CreateEnvironment(ctx context.Context, project, name string, document []byte) (Environment, error) {
	if err := ValidName(name); err != nil {
		return Environment{}, fmt.Errorf("creating environment in project %q: %w", project, err)
	}
	fail := func(err error) (Environment, error) {
		return Environment{}, fmt.Errorf("creating environment %q in project %q: %w", name, project, err)
	}
	if err := checkDocument(document); err != nil {
		return fail(err)
	}
	now := s.now()
	e := Environment{Name: name, Document: bytes.Clone(blob(document)), CreatedAt: now, UpdatedAt: now}
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		if e.ProjectID, err = projectID(ctx, tx, project); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx,
			`INSERT INTO environments (project_id, name, document, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			e.ProjectID, e.Name, e.Document, formatTime(e.CreatedAt), formatTime(e.UpdatedAt)).Scan(&e.ID)
		if isUnique(err) {
			return errorf(ErrConflict, err, "an environment with that name already exists")
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	return e, nil
}

// UpdateEnvironment replaces an environment's document.
func (s *Store) UpdateEnvironment(ctx context.Context, project, name string, document []byte) (Environment, error) {
	fail := func(err error) (Environment, error) {
		return Environment{}, fmt.Errorf("updating environment %q in project %q: %w", name, project, err)
	}
	if err := checkDocument(document); err != nil {
		return fail(err)
	}
	e := Environment{Document: bytes.Clone(blob(document)), UpdatedAt: s.now()}
	err := s.inTx(ctx, func(tx *txn) error {
		pid, err := projectID(ctx, tx, project)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx,
			`UPDATE environments SET document = ?, updated_at = ? WHERE project_id = ? AND name = ?
			RETURNING id, project_id, name, created_at`,
			e.Document, formatTime(e.UpdatedAt), pid, name).
			Scan(&e.ID, &e.ProjectID, &e.Name, timeColumn{&e.CreatedAt})
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, err, "no such environment")
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	return e, nil
}

const environmentSelect = `SELECT id, project_id, name, document, created_at, updated_at FROM environments`

func scanEnvironment(row interface{ Scan(...any) error }) (Environment, error) {
	var e Environment
	err := row.Scan(&e.ID, &e.ProjectID, &e.Name, &e.Document, timeColumn{&e.CreatedAt}, timeColumn{&e.UpdatedAt})
	return e, err
}

// Environments lists a project's environments, with their documents,
// sorted by name.
func (s *Store) Environments(ctx context.Context, project string) ([]Environment, error) {
	fail := func(err error) ([]Environment, error) {
		return nil, fmt.Errorf("listing environments in project %q: %w", project, err)
	}
	pid, err := projectID(ctx, s.db, project)
	if err != nil {
		return fail(err)
	}
	rows, err := s.db.QueryContext(ctx, environmentSelect+` WHERE project_id = ? ORDER BY name`, pid)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var es []Environment
	for rows.Next() {
		e, err := scanEnvironment(rows)
		if err != nil {
			return fail(err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return es, nil
}

// Environment returns the named environment of project, or ErrNotFound.
func (s *Store) Environment(ctx context.Context, project, name string) (Environment, error) {
	fail := func(err error) (Environment, error) {
		return Environment{}, fmt.Errorf("reading environment %q in project %q: %w", name, project, err)
	}
	pid, err := projectID(ctx, s.db, project)
	if err != nil {
		return fail(err)
	}
	e, err := scanEnvironment(s.db.QueryRowContext(ctx, environmentSelect+` WHERE project_id = ? AND name = ?`, pid, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such environment")
	}
	if err != nil {
		return fail(err)
	}
	return e, nil
}
