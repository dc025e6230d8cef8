package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// StateToken is a credential a run's terraform uses with CloudOven's state backend (package
// state issues and checks them). Only the SHA-256 of its password is stored, in hex; the
// scope is what package state calls it ("plan" or "apply"), which the store only checks is
// one of the two.
type StateToken struct {
	Username       string
	PasswordSHA256 string
	Project        string
	DeploymentID   int64
	RunID          string
	Scope          string
	ExpiresAt      time.Time
}

// maxStateUsernameBytes matches the CHECK on state_tokens.username.
const maxStateUsernameBytes = 64

// CreateStateToken stores tok, and deletes every token that expired at or before now: a
// token lives at most until its run revokes it or it expires, so the table holds no more
// than the runs of the last TTL. A username already taken is ErrConflict.
func (s *Store) CreateStateToken(ctx context.Context, tok StateToken, now time.Time) error {
	fail := func(err error) error {
		return fmt.Errorf("storing state credentials for run %s: %w", quote(tok.RunID), err)
	}
	switch {
	case tok.Username == "" || len(tok.Username) > maxStateUsernameBytes:
		return fail(fmt.Errorf("a username has 1 to %d bytes", maxStateUsernameBytes))
	case len(tok.PasswordSHA256) != 64:
		return fail(errors.New("the password's SHA-256 is not 64 hex digits"))
	case tok.Scope != "plan" && tok.Scope != "apply":
		return fail(fmt.Errorf("scope %s is not plan or apply", quote(tok.Scope)))
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM state_tokens WHERE expires_at <= ?`, formatTime(now)); err != nil {
		return fail(fmt.Errorf("deleting expired credentials: %w", err))
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO state_tokens
		(username, password_sha256, project, deployment_id, run_id, scope, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tok.Username, tok.PasswordSHA256, tok.Project, tok.DeploymentID, tok.RunID, tok.Scope, formatTime(tok.ExpiresAt))
	if isUnique(err) {
		return fail(errorf(ErrConflict, err, "username %s is taken", quote(tok.Username)))
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

// StateToken returns the token with that username, or ErrNotFound. It does not judge
// expiry: the caller compares ExpiresAt with its clock.
func (s *Store) StateToken(ctx context.Context, username string) (StateToken, error) {
	if username == "" || len(username) > maxStateUsernameBytes {
		return StateToken{}, errorf(ErrNotFound, nil, "no such state credentials")
	}
	tok := StateToken{Username: username}
	err := s.db.QueryRowContext(ctx, `SELECT password_sha256, project, deployment_id, run_id, scope, expires_at
		FROM state_tokens WHERE username = ?`, username).
		Scan(&tok.PasswordSHA256, &tok.Project, &tok.DeploymentID, &tok.RunID, &tok.Scope, timeColumn{&tok.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return StateToken{}, errorf(ErrNotFound, err, "no such state credentials")
	}
	if err != nil {
		return StateToken{}, fmt.Errorf("reading state credentials: %w", err)
	}
	return tok, nil
}

// DeleteStateTokens deletes every token of the run; a run without any is not an error.
func (s *Store) DeleteStateTokens(ctx context.Context, runID string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM state_tokens WHERE run_id = ?`, runID); err != nil {
		return fmt.Errorf("revoking the state credentials of run %s: %w", quote(runID), err)
	}
	return nil
}
