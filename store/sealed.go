package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxKeyIDBytes matches the CHECK on secret_key.key_id.
const maxKeyIDBytes = 128

// SealedCounts is how much the database holds sealed with the secret key: environment
// secrets, and runs' saved plans (each with its JSON).
type SealedCounts struct {
	Secrets int
	Plans   int
}

// Any reports whether anything is sealed.
func (c SealedCounts) Any() bool { return c.Secrets+c.Plans > 0 }

// String says what is sealed, for people: "2 secrets and 1 saved plan".
func (c SealedCounts) String() string {
	var parts []string
	if c.Secrets > 0 {
		parts = append(parts, plural(c.Secrets, "secret", "secrets"))
	}
	if c.Plans > 0 {
		parts = append(parts, plural(c.Plans, "saved plan", "saved plans"))
	}
	if len(parts) == 0 {
		return "nothing sealed"
	}
	return strings.Join(parts, " and ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// SealedCounts counts what the database holds sealed. Plans stored in the clear before
// migration 0013 are not counted.
func (s *Store) SealedCounts(ctx context.Context) (SealedCounts, error) {
	c, err := sealedCounts(ctx, s.db)
	if err != nil {
		return SealedCounts{}, fmt.Errorf("counting sealed values: %w", err)
	}
	return c, nil
}

func sealedCounts(ctx context.Context, q querier) (SealedCounts, error) {
	var c SealedCounts
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM environment_secrets),
		(SELECT count(*) FROM runs WHERE plan_sealed = 1 AND (plan IS NOT NULL OR plan_archived = 1))`).Scan(&c.Secrets, &c.Plans)
	return c, err
}

// SecretKeyID returns the id of the key the database's sealed values are sealed with, as
// recorded; "" when none is.
func (s *Store) SecretKeyID(ctx context.Context) (string, error) {
	id, err := secretKeyID(ctx, s.db)
	if err != nil {
		return "", fmt.Errorf("reading the secret key's id: %w", err)
	}
	return id, nil
}

func secretKeyID(ctx context.Context, q querier) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT key_id FROM secret_key WHERE id = 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

func checkKeyID(id string) error {
	if id == "" || len(id) > maxKeyIDBytes {
		return fmt.Errorf("a key id is 1 to %d bytes, not %d", maxKeyIDBytes, len(id))
	}
	return nil
}

// RecordSecretKeyID records id as the secret key's when no key id is recorded yet, and
// returns the one recorded now: id, or the one recorded before, which it leaves alone. Two
// processes racing with different keys thus agree on one.
func (s *Store) RecordSecretKeyID(ctx context.Context, id string) (string, error) {
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("recording the secret key's id: %w", err)
	}
	if err := checkKeyID(id); err != nil {
		return fail(err)
	}
	var recorded string
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO secret_key (id, key_id, recorded_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`,
			id, formatTime(s.now())); err != nil {
			return err
		}
		var err error
		recorded, err = secretKeyID(ctx, tx)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return recorded, nil
}

// ReplaceSecretKeyID records id as the secret key's in place of another, which only a
// database holding nothing sealed allows: otherwise it is ErrConflict and changes nothing.
func (s *Store) ReplaceSecretKeyID(ctx context.Context, id string) error {
	fail := func(err error) error {
		return fmt.Errorf("replacing the secret key's id: %w", err)
	}
	if err := checkKeyID(id); err != nil {
		return fail(err)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		c, err := sealedCounts(ctx, tx)
		if err != nil {
			return err
		}
		if c.Any() {
			return errorf(ErrConflict, nil, "the database holds %d secrets and %d plans sealed with the recorded key", c.Secrets, c.Plans)
		}
		return upsertKeyID(ctx, tx, id, s.now())
	})
	if err != nil {
		return fail(err)
	}
	return nil
}

// ForgotSealed is what ForgetSealed deleted.
type ForgotSealed struct {
	SealedCounts
	// Discarded counts the planned runs discarded because their plan was deleted.
	Discarded int
}

// ForgetSealed starts the database over with a new secret key, in one transaction: it
// deletes every environment secret and every sealed plan (with its JSON), discards the
// planned runs that waited with one (as by, with a reason), and records id as the key's.
// It is for a key that is lost for good; nothing it deletes can be brought back.
func (s *Store) ForgetSealed(ctx context.Context, id, by string) (ForgotSealed, error) {
	fail := func(err error) (ForgotSealed, error) {
		return ForgotSealed{}, fmt.Errorf("deleting what the lost secret key sealed: %w", err)
	}
	if err := checkKeyID(id); err != nil {
		return fail(err)
	}
	if err := checkText("user name", by); err != nil {
		return fail(err)
	}
	var f ForgotSealed
	var archived []string // runs whose sealed plan is in the Archive: deleted there after
	now := s.now()
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		if f.SealedCounts, err = sealedCounts(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM environment_secrets`); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE runs SET state = ?, canceled_by = ?, finished_at = ?, error = ?
			WHERE state = ? AND plan_sealed = 1`,
			string(RunDiscarded), by, formatTime(now), "its saved plan was sealed with a secret key that was lost, and deleted", string(RunPlanned))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		f.Discarded = int(n)
		if archived, err = archivedPlanRuns(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET plan = NULL, plan_json = NULL, plan_sealed = 0, plan_archived = 0 WHERE plan_sealed = 1`); err != nil {
			return err
		}
		return upsertKeyID(ctx, tx, id, now)
	})
	if err != nil {
		return fail(err)
	}
	for _, runID := range archived {
		s.dropPlan(ctx, runID) // sealed with the lost key: nothing can open them
	}
	return f, nil
}

func archivedPlanRuns(ctx context.Context, tx *txn) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM runs WHERE plan_archived = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func upsertKeyID(ctx context.Context, tx *txn, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO secret_key (id, key_id, recorded_at) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, recorded_at = excluded.recorded_at`, id, formatTime(now))
	return err
}
