package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MaxProviderChecks bounds the cached provider checks; saving one more drops the oldest.
const MaxProviderChecks = 10000

// providerCheckLimit is MaxProviderChecks, smaller in a test.
var providerCheckLimit = MaxProviderChecks

// ProviderCheck reads the cached result of a provider check by its key; found is false
// when there is none.
func (s *Store) ProviderCheck(ctx context.Context, key string) (result []byte, checkedAt time.Time, found bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT result, checked_at FROM provider_checks WHERE key = ?`, key).
		Scan(&result, timeColumn{&checkedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("reading the provider check %s: %w", key, err)
	}
	return bytes.Clone(result), checkedAt, true, nil
}

// SaveProviderCheck caches the result of a provider check under key, replacing one kept
// under it, and drops the oldest beyond MaxProviderChecks. A result is at most
// MaxDocumentBytes, a key at most 128 bytes.
func (s *Store) SaveProviderCheck(ctx context.Context, key string, result []byte) error {
	fail := func(err error) error { return fmt.Errorf("saving the provider check %s: %w", key, err) }
	if len(key) == 0 || len(key) > 128 {
		return fail(errorf(ErrTooLarge, nil, "the key is %d bytes; it must be 1 to 128", len(key)))
	}
	if err := checkDocument(result); err != nil {
		return fail(err)
	}
	now := s.now()
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO provider_checks (key, result, checked_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET result = excluded.result, checked_at = excluded.checked_at`,
			key, blob(result), formatTime(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			`DELETE FROM provider_checks WHERE key NOT IN (SELECT key FROM provider_checks ORDER BY checked_at DESC, key LIMIT ?)`,
			providerCheckLimit)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return nil
}
