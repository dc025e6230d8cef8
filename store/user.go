package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is someone who signs in. Admin users are global admins: every project and the
// admin pages are theirs.
type User struct {
	ID           int64
	Name         string
	PasswordHash string // argon2id, PHC string form (package auth)
	Admin        bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// CreateUser creates a user with an already hashed password. A name in use is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, name, passwordHash string, admin bool) (User, error) {
	if err := ValidName(name); err != nil {
		return User{}, fmt.Errorf("creating user: %w", err)
	}
	now := s.now()
	u := User{Name: name, PasswordHash: passwordHash, Admin: admin, CreatedAt: now, UpdatedAt: now}
	err := s.db.QueryRowContext(ctx,
		`INSERT INTO users (name, password_hash, admin, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		name, passwordHash, admin, formatTime(now), formatTime(now)).Scan(&u.ID)
	if isUnique(err) {
		err = errorf(ErrConflict, err, "a user with that name already exists")
	}
	if err != nil {
		return User{}, fmt.Errorf("creating user %q: %w", name, err)
	}
	return u, nil
}

const userColumns = `u.id, u.name, u.password_hash, u.admin, u.created_at, u.updated_at`

func scanUser(sc interface{ Scan(...any) error }, u *User, more ...any) error {
	return sc.Scan(append([]any{&u.ID, &u.Name, &u.PasswordHash, &u.Admin, timeColumn{&u.CreatedAt}, timeColumn{&u.UpdatedAt}}, more...)...)
}

// User returns the named user, or ErrNotFound.
func (s *Store) User(ctx context.Context, name string) (User, error) {
	var u User
	err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.name = ?`, name), &u)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such user")
	}
	if err != nil {
		return User{}, fmt.Errorf("reading user %q: %w", name, err)
	}
	return u, nil
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name`)
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	defer rows.Close()
	var us []User
	for rows.Next() {
		var u User
		if err := scanUser(rows, &u); err != nil {
			return nil, fmt.Errorf("listing users: %w", err)
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return us, nil
}

// CountUsers counts the users; serve creates the first admin when there are none.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting users: %w", err)
	}
	return n, nil
}

// SetPassword replaces a user's password hash.
func (s *Store) SetPassword(ctx context.Context, name, passwordHash string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE name = ?`,
		passwordHash, formatTime(s.now()), name)
	if err == nil {
		err = wantOneRow(res, "no such user")
	}
	if err != nil {
		return fmt.Errorf("setting the password of %q: %w", name, err)
	}
	return nil
}

// wantOneRow turns an update or delete that touched nothing into ErrNotFound.
func wantOneRow(res sql.Result, msg string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errorf(ErrNotFound, nil, "%s", msg)
	}
	return nil
}
