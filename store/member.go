package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Member is a user's role in one project: viewer, editor, operator or admin (package auth
// orders them; the store only keeps the name).
type Member struct {
	User      string
	Role      string
	CreatedAt time.Time
}

// CreateProjectAs creates a project with owner as its first admin, in one transaction.
func (s *Store) CreateProjectAs(ctx context.Context, owner, name, description string) (Project, error) {
	if err := ValidName(name); err != nil {
		return Project{}, fmt.Errorf("creating project: %w", err)
	}
	if err := checkText("description", description); err != nil {
		return Project{}, fmt.Errorf("creating project %q: %w", name, err)
	}
	p := Project{Name: name, Description: description, CreatedAt: s.now()}
	err := s.inTx(ctx, func(tx *txn) error {
		err := tx.QueryRowContext(ctx,
			`INSERT INTO projects (name, description, created_at) VALUES (?, ?, ?) RETURNING id`,
			p.Name, p.Description, formatTime(p.CreatedAt)).Scan(&p.ID)
		if isUnique(err) {
			return errorf(ErrConflict, err, "a project with that name already exists")
		}
		if err != nil {
			return err
		}
		return setMember(ctx, tx, p.ID, owner, "admin", p.CreatedAt)
	})
	if err != nil {
		return Project{}, fmt.Errorf("creating project %q: %w", name, err)
	}
	return p, nil
}

// SetMember gives user the role in project, adding the membership or changing its role.
func (s *Store) SetMember(ctx context.Context, project, user, role string) error {
	err := s.inTx(ctx, func(tx *txn) error {
		pid, err := projectID(ctx, tx, project)
		if err != nil {
			return err
		}
		return setMember(ctx, tx, pid, user, role, s.now())
	})
	if err != nil {
		return fmt.Errorf("setting the role of %q in project %q: %w", user, project, err)
	}
	return nil
}

func setMember(ctx context.Context, tx *txn, projectID int64, user, role string, now time.Time) error {
	var uid int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE name = ?`, user).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return errorf(ErrNotFound, err, "no such user")
	}
	if err != nil {
		return err
	}
	switch role {
	case "viewer", "editor", "operator", "admin":
	default:
		return errorf(ErrInvalidName, nil, "role %s is not one of viewer, editor, operator, admin", quote(role))
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO project_members (project_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`, projectID, uid, role, formatTime(now))
	return err
}

// RemoveMember removes user from project; a user who is not a member is ErrNotFound.
func (s *Store) RemoveMember(ctx context.Context, project, user string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM project_members
		WHERE project_id = (SELECT id FROM projects WHERE name = ?) AND user_id = (SELECT id FROM users WHERE name = ?)`,
		project, user)
	if err == nil {
		err = wantOneRow(res, "no such member")
	}
	if err != nil {
		return fmt.Errorf("removing %q from project %q: %w", user, project, err)
	}
	return nil
}

// Members lists a project's members by user name.
func (s *Store) Members(ctx context.Context, project string) ([]Member, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.name, m.role, m.created_at FROM project_members m
		JOIN users u ON u.id = m.user_id JOIN projects p ON p.id = m.project_id
		WHERE p.name = ? ORDER BY u.name`, project)
	if err != nil {
		return nil, fmt.Errorf("listing the members of %q: %w", project, err)
	}
	defer rows.Close()
	var ms []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.User, &m.Role, timeColumn{&m.CreatedAt}); err != nil {
			return nil, fmt.Errorf("listing the members of %q: %w", project, err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing the members of %q: %w", project, err)
	}
	return ms, nil
}

// MemberRole returns user's role in project; no membership (or no such project) is
// ErrNotFound.
func (s *Store) MemberRole(ctx context.Context, project, user string) (string, error) {
	var role string
	err := s.db.QueryRowContext(ctx, `SELECT m.role FROM project_members m
		JOIN users u ON u.id = m.user_id JOIN projects p ON p.id = m.project_id
		WHERE p.name = ? AND u.name = ?`, project, user).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "not a member")
	}
	if err != nil {
		return "", fmt.Errorf("reading the role of %q in project %q: %w", user, project, err)
	}
	return role, nil
}

// ProjectsOf lists the projects user is a member of, sorted by name.
func (s *Store) ProjectsOf(ctx context.Context, user string) ([]Project, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.id, p.name, p.description, p.created_at FROM projects p
		JOIN project_members m ON m.project_id = p.id JOIN users u ON u.id = m.user_id
		WHERE u.name = ? ORDER BY p.name`, user)
	if err != nil {
		return nil, fmt.Errorf("listing the projects of %q: %w", user, err)
	}
	defer rows.Close()
	var ps []Project
	for rows.Next() {
		var p Project
		if err := rows.Scan(&p.ID, &p.Name, &p.Description, timeColumn{&p.CreatedAt}); err != nil {
			return nil, fmt.Errorf("listing the projects of %q: %w", user, err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing the projects of %q: %w", user, err)
	}
	return ps, nil
}
