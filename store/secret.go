package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// maxCiphertextBytes bounds a stored secret. The secrets package limits
// values to 64 KiB; this leaves room for its nonce and tag and stops
// anything much larger from reaching the database.
const maxCiphertextBytes = 128 << 10

// StoredSecret is one of an environment's secrets as the store holds it:
// encrypted. The store neither encrypts nor decrypts; the secrets package
// does both.
type StoredSecret struct {
	Name       string
	Ciphertext []byte
	UpdatedAt  time.Time
}

// SetEnvironmentSecret stores ciphertext under name in the environment,
// replacing what was there. A missing project or environment is
// ErrNotFound.
func (s *Store) SetEnvironmentSecret(ctx context.Context, project, environment, name string, ciphertext []byte) error {
	if err := validSecretName(name); err != nil {
		return fmt.Errorf("setting a secret of environment %q in project %q: %w", environment, project, err)
	}
	fail := func(err error) error {
		return fmt.Errorf("setting secret %s of environment %q in project %q: %w", name, environment, project, err)
	}
	if len(ciphertext) == 0 {
		return fail(errors.New("ciphertext is empty"))
	}
	if len(ciphertext) > maxCiphertextBytes {
		return fail(errorf(ErrTooLarge, nil, "ciphertext is %d bytes; the limit is %d bytes", len(ciphertext), maxCiphertextBytes))
	}
	err := s.inTx(ctx, func(tx *txn) error {
		id, err := environmentID(ctx, tx, project, environment)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO environment_secrets (environment_id, name, ciphertext, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (environment_id, name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
			id, name, ciphertext, formatTime(s.now()))
		return err
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// DeleteEnvironmentSecret deletes the named secret of the environment. A
// secret that does not exist is left as it is; a project or environment
// that does not exist is ErrNotFound.
func (s *Store) DeleteEnvironmentSecret(ctx context.Context, project, environment, name string) error {
	err := s.inTx(ctx, func(tx *txn) error {
		id, err := environmentID(ctx, tx, project, environment)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM environment_secrets WHERE environment_id = ? AND name = ?`, id, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("deleting secret %s of environment %q in project %q: %w", quote(name), environment, project, err)
	}
	return nil
}

// EnvironmentSecrets lists the environment's secrets, still encrypted,
// sorted by name. A missing project or environment is ErrNotFound.
func (s *Store) EnvironmentSecrets(ctx context.Context, project, environment string) ([]StoredSecret, error) {
	fail := func(err error) ([]StoredSecret, error) {
		return nil, fmt.Errorf("listing secrets of environment %q in project %q: %w", environment, project, err)
	}
	id, err := environmentID(ctx, s.db, project, environment)
	if err != nil {
		return fail(err)
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT name, ciphertext, updated_at FROM environment_secrets WHERE environment_id = ? ORDER BY name`, id)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var ss []StoredSecret
	for rows.Next() {
		var sec StoredSecret
		if err := rows.Scan(&sec.Name, &sec.Ciphertext, timeColumn{&sec.UpdatedAt}); err != nil {
			return fail(err)
		}
		ss = append(ss, sec)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return ss, nil
}

// EachEnvironmentSecret calls fn with every environment secret the database holds, still
// sealed, and the names of its project and environment, ordered by project, environment and
// name. An error from fn stops the walk and is returned as it is.
func (s *Store) EachEnvironmentSecret(ctx context.Context, fn func(project, environment string, sec StoredSecret) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT p.name, e.name, es.name, es.ciphertext, es.updated_at
		FROM environment_secrets es
		JOIN environments e ON e.id = es.environment_id
		JOIN projects p ON p.id = e.project_id
		ORDER BY p.name, e.name, es.name`)
	if err != nil {
		return fmt.Errorf("listing every environment secret: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var project, environment string
		var sec StoredSecret
		if err := rows.Scan(&project, &environment, &sec.Name, &sec.Ciphertext, timeColumn{&sec.UpdatedAt}); err != nil {
			return fmt.Errorf("listing every environment secret: %w", err)
		}
		if err := fn(project, environment, sec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("listing every environment secret: %w", err)
	}
	return nil
}

// environmentID looks up an environment's id; a missing project or
// environment is ErrNotFound, told apart by one query.
func environmentID(ctx context.Context, q querier, project, name string) (int64, error) {
	var eid sql.NullInt64
	err := q.QueryRowContext(ctx,
		`SELECT e.id FROM projects p LEFT JOIN environments e ON e.project_id = p.id AND e.name = ?
		WHERE p.name = ?`, name, project).Scan(&eid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, errorf(ErrNotFound, err, "no such project")
	case err != nil:
		return 0, err
	case !eid.Valid:
		return 0, errorf(ErrNotFound, sql.ErrNoRows, "no such environment")
	}
	return eid.Int64, nil
}

// validSecretName repeats the secrets package's rule (and the table's
// CHECK): an environment variable name, ^[A-Za-z_][A-Za-z0-9_]{0,127}$.
func validSecretName(s string) error {
	ok := len(s) >= 1 && len(s) <= 128
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', c == '_':
		case '0' <= c && c <= '9' && i > 0:
		default:
			ok = false
		}
	}
	if ok {
		return nil
	}
	return errorf(ErrInvalidName, nil,
		"secret name %s is not valid: use 1-128 letters, digits or '_', not starting with a digit, like ARM_CLIENT_SECRET", quote(s))
}
