package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Project is a team's space: it holds blueprints, environments and
// deployments.
type Project struct {
	ID          int64
	Name        string
	Description string
	CreatedAt   time.Time
}

// CreateProject creates a project. A name already in use is ErrConflict.
func (s *Store) CreateProject(ctx context.Context, name, description string) (Project, error) {
	if err := ValidName(name); err != nil {
		return Project{}, fmt.Errorf("creating project: %w", err)
	}
	if err := checkText("description", description); err != nil {
		return Project{}, fmt.Errorf("creating project %q: %w", name, err)
	}
	p := Project{Name: name, Description: description, CreatedAt: s.now()}
	err := s.db.QueryRowContext(ctx,
		`INSERT INTO projects (name, description, created_at) VALUES (?, ?, ?) RETURNING id`,
		p.Name, p.Description, formatTime(p.CreatedAt)).Scan(&p.ID)
	if isUnique(err) {
		err = errorf(ErrConflict, err, "a project with that name already exists")
	}
	if err != nil {
		return Project{}, fmt.Errorf("creating project %q: %w", name, err)
	}
	return p, nil
}

// Projects lists every project, sorted by name.
func (s *Store) Projects(ctx context.Context) ([]Project, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, description, created_at FROM projects ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing projects: %w", err)
	}
	defer rows.Close()
	var ps []Project
	for rows.Next() {
		var p Project
		if err := rows.Scan(&p.ID, &p.Name, &p.Description, timeColumn{&p.CreatedAt}); err != nil {
			return nil, fmt.Errorf("listing projects: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing projects: %w", err)
	}
	return ps, nil
}

// Project returns the named project, or ErrNotFound.
func (s *Store) Project(ctx context.Context, name string) (Project, error) {
	var p Project
	err := s.db.QueryRowContext(ctx,
		`SELECT id, name, description, created_at FROM projects WHERE name = ?`, name).
		Scan(&p.ID, &p.Name, &p.Description, timeColumn{&p.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such project")
	}
	if err != nil {
		return Project{}, fmt.Errorf("reading project %q: %w", name, err)
	}
	return p, nil
}

// projectID looks up a project's id; a missing project is ErrNotFound.
func projectID(ctx context.Context, q querier, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM projects WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errorf(ErrNotFound, err, "no such project")
	}
	return id, err
}
