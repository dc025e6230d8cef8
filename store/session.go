package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser. Only the SHA-256 of its token is stored; the expiry
// policy (idle and absolute) is the caller's, which passes the times in.
type Session struct {
	TokenHash  string
	User       User
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// CreateSession stores a new session for the user with that id.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, userID int64, now, expiresAt time.Time) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		tokenHash, userID, formatTime(now), formatTime(now), formatTime(expiresAt))
	if err != nil {
		return fmt.Errorf("creating a session: %w", err)
	}
	return nil
}

// Session returns the session with that token hash and its user, or ErrNotFound. It does
// not judge expiry.
func (s *Store) Session(ctx context.Context, tokenHash string) (Session, error) {
	var ses Session
	err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, s.token_hash, s.created_at, s.last_seen_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash),
		&ses.User, &ses.TokenHash, timeColumn{&ses.CreatedAt}, timeColumn{&ses.LastSeenAt}, timeColumn{&ses.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such session")
	}
	if err != nil {
		return Session{}, fmt.Errorf("reading a session: %w", err)
	}
	return ses, nil
}

// TouchSession records that the session was used at.
func (s *Store) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, formatTime(at), tokenHash); err != nil {
		return fmt.Errorf("touching a session: %w", err)
	}
	return nil
}

// DeleteSession ends a session; ending one that does not exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("deleting a session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of the user with that id except the one with the
// token hash keep (which may be empty), after a password change.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64, keep string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keep); err != nil {
		return fmt.Errorf("deleting sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions whose absolute expiry or idle limit has passed.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
		formatTime(now), formatTime(now.Add(-idle)))
	if err != nil {
		return fmt.Errorf("deleting expired sessions: %w", err)
	}
	return nil
}
