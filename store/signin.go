package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cloudoven/cloudoven/auth"
)

// The sign-in throttle's counts (auth.Throttle decides; the store is its auth.Ledger), kept
// here so that every replica on one database counts the attempts that reach any of them.

// maxSignInKeyBytes bounds a user name or an address the throttle counts; it matches the
// CHECKs on signin_failures and signin_pairs.
const maxSignInKeyBytes = 256

// maxSignInRead bounds how many failures of a user name or an address SignInCounts reads.
const maxSignInRead = 1000

func checkSignInKey(user, addr string) error {
	if len(user) > maxSignInKeyBytes || len(addr) > maxSignInKeyBytes {
		return fmt.Errorf("a user name or address over %d bytes", maxSignInKeyBytes)
	}
	return nil
}

// SignInCounts reads what bears on a sign-in attempt of user from addr: the pair's count
// and last success, and the latest failures of user and of addr after since, at most max
// of each (and at most 1000), oldest first.
func (s *Store) SignInCounts(ctx context.Context, user, addr string, since time.Time, max int) (auth.SignInCounts, error) {
	if err := checkSignInKey(user, addr); err != nil {
		return auth.SignInCounts{}, fmt.Errorf("reading failed sign-ins: %w", err)
	}
	c, err := signInCounts(ctx, s.db, user, addr, since, max)
	if err != nil {
		return auth.SignInCounts{}, fmt.Errorf("reading failed sign-ins: %w", err)
	}
	return c, nil
}

func signInCounts(ctx context.Context, q querier, user, addr string, since time.Time, max int) (auth.SignInCounts, error) {
	var c auth.SignInCounts
	var last, known string
	err := q.QueryRowContext(ctx, `SELECT failures, last_failure_at, known_at FROM signin_pairs
		WHERE user_name = ? AND address = ?`, user, addr).Scan(&c.PairFailures, &last, &known)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, err
	}
	for _, t := range []struct {
		text string
		dst  *time.Time
	}{{last, &c.PairLast}, {known, &c.KnownAt}} {
		if t.text != "" {
			if err := (timeColumn{t.dst}).Scan(t.text); err != nil {
				return c, err
			}
		}
	}
	max = min(max, maxSignInRead)
	if max <= 0 {
		return c, nil
	}
	for _, l := range []struct {
		column, key string
		dst         *[]time.Time
	}{{"user_name", user, &c.UserFailures}, {"address", addr, &c.AddressFailures}} {
		// The column is one of two constants, never input.
		rows, err := q.QueryContext(ctx, `SELECT at FROM signin_failures WHERE `+l.column+` = ? AND at > ?
			ORDER BY at DESC, id DESC LIMIT ?`, l.key, formatTime(since), max)
		if err != nil {
			return c, err
		}
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(timeColumn{&at}); err != nil {
				rows.Close()
				return c, err
			}
			*l.dst = append(*l.dst, at)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return c, err
		}
		slices.Reverse(*l.dst)
	}
	return c, nil
}

// BeginSignIn reads the counts of user from addr as SignInCounts does and calls admit with
// them; when admit returns a count above zero, it records a failure of user from addr at
// at and sets the pair's count to it, with at as its last failure. All of it is one
// transaction under the store's write lock, so no two attempts, from any replica, are
// admitted on the same counts; admit runs again if PostgreSQL has the transaction start
// over. It returns the failure's id, or 0 when admit refused.
func (s *Store) BeginSignIn(ctx context.Context, user, addr string, at, since time.Time, max int, admit func(auth.SignInCounts) int) (int64, error) {
	if err := checkSignInKey(user, addr); err != nil {
		return 0, fmt.Errorf("counting a sign-in: %w", err)
	}
	var id int64
	err := s.inTx(ctx, func(tx *txn) error {
		id = 0
		c, err := signInCounts(ctx, tx, user, addr, since, max)
		if err != nil {
			return err
		}
		n := admit(c)
		if n <= 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_pairs (user_name, address, failures, last_failure_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (user_name, address)
			DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at`,
			user, addr, n, formatTime(at)); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO signin_failures (user_name, address, at) VALUES (?, ?, ?) RETURNING id`,
			user, addr, formatTime(at)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("counting a sign-in: %w", err)
	}
	return id, nil
}

// SucceedSignIn forgets failure f, whose password was right, clears its pair's count and
// records that the pair signed in at at.
func (s *Store) SucceedSignIn(ctx context.Context, f auth.SignInFailure, at time.Time) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE id = ?`, f.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO signin_pairs (user_name, address, failures, last_failure_at, known_at)
			VALUES (?, ?, 0, '', ?) ON CONFLICT (user_name, address)
			DO UPDATE SET failures = 0, last_failure_at = '', known_at = excluded.known_at`,
			f.User, f.Addr, formatTime(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("recording a sign-in: %w", err)
	}
	return nil
}

// CancelSignIn forgets failure f, whose password was never checked: one off its pair's
// count, and the pair's last failure back to f.PrevLast if f was the last.
func (s *Store) CancelSignIn(ctx context.Context, f auth.SignInFailure) error {
	prev := ""
	if !f.PrevLast.IsZero() {
		prev = formatTime(f.PrevLast)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE id = ?`, f.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE signin_pairs SET failures = failures - 1,
			last_failure_at = CASE WHEN last_failure_at = ? THEN ? ELSE last_failure_at END
			WHERE user_name = ? AND address = ? AND failures > 0`,
			formatTime(f.At), prev, f.User, f.Addr); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM signin_pairs
			WHERE user_name = ? AND address = ? AND failures = 0 AND known_at = ''`, f.User, f.Addr)
		return err
	})
	if err != nil {
		return fmt.Errorf("taking back a sign-in: %w", err)
	}
	return nil
}

// PruneSignIns deletes the failures at or before failures, and the pairs whose last
// failure is at or before pairs and whose last success (if any) at or before known.
func (s *Store) PruneSignIns(ctx context.Context, failures, pairs, known time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM signin_failures WHERE at <= ?`, formatTime(failures)); err != nil {
		return fmt.Errorf("pruning failed sign-ins: %w", err)
	}
	// '' (no such time) sorts before every time.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM signin_pairs WHERE last_failure_at <= ? AND known_at <= ?`,
		formatTime(pairs), formatTime(known)); err != nil {
		return fmt.Errorf("pruning failed sign-ins: %w", err)
	}
	return nil
}

// The store is the sign-in throttle's ledger.
var _ auth.Ledger = (*Store)(nil)
