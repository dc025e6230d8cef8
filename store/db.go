package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// database is the pool the store queries through: every statement passes
// its dialect's rebind and args on the way, so the store's SQL is written
// once for both databases.
type database struct {
	*sql.DB
	d dialect
	// beginWrite runs first in every transaction of inTx: nothing for
	// SQLite, whose transactions take the write lock at BEGIN already; for
	// PostgreSQL the same lock, an advisory one (see postgres.go).
	beginWrite string
}

func (db *database) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.DB.ExecContext(ctx, db.d.rebind(query), db.d.args(args)...)
}

func (db *database) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.DB.QueryContext(ctx, db.d.rebind(query), db.d.args(args)...)
}

func (db *database) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return db.DB.QueryRowContext(ctx, db.d.rebind(query), db.d.args(args)...)
}

func (db *database) Exec(query string, args ...any) (sql.Result, error) {
	return db.ExecContext(context.Background(), query, args...)
}

func (db *database) Query(query string, args ...any) (*sql.Rows, error) {
	return db.QueryContext(context.Background(), query, args...)
}

func (db *database) QueryRow(query string, args ...any) *sql.Row {
	return db.QueryRowContext(context.Background(), query, args...)
}

// txn is a transaction of the store, rebinding as database does.
type txn struct {
	*sql.Tx
	d dialect
	// notes are SQLite's notifications of the transaction, delivered
	// after it commits (see notify).
	notes []notification
}

func (tx *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(ctx, tx.d.rebind(query), tx.d.args(args)...)
}

func (tx *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(ctx, tx.d.rebind(query), tx.d.args(args)...)
}

func (tx *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(ctx, tx.d.rebind(query), tx.d.args(args)...)
}

// PrepareContext prepares query; the statement's Exec calls take the
// dialect's args through stmt.
func (tx *txn) PrepareContext(ctx context.Context, query string) (*stmt, error) {
	st, err := tx.Tx.PrepareContext(ctx, tx.d.rebind(query))
	if err != nil {
		return nil, err
	}
	return &stmt{Stmt: st, d: tx.d}, nil
}

type stmt struct {
	*sql.Stmt
	d dialect
}

func (st *stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return st.Stmt.ExecContext(ctx, st.d.args(args)...)
}

// maxTxAttempts bounds how often inTx runs a transaction that the database
// aborted for a serialization failure or a deadlock.
const maxTxAttempts = 10

// inTx runs fn in a transaction that holds the store's write lock from its
// start (BEGIN IMMEDIATE for SQLite, see dsn; an advisory lock for
// PostgreSQL) and commits it if fn returns nil; otherwise nothing fn wrote
// is kept. A transaction the database aborted so that another could go on
// (PostgreSQL's serialization failures and deadlocks) is run again, fn
// included, as SQLite's busy timeout waits: fn must only read and write
// through tx and set what it returns.
func (s *Store) inTx(ctx context.Context, fn func(tx *txn) error) error {
	for attempt := 1; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil || !s.db.d.retryable(err) || attempt == maxTxAttempts {
			return err
		}
		// A short random pause lets the transaction that won go first.
		t := time.NewTimer(time.Duration(attempt) * time.Duration(1+rand.IntN(10)) * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *txn) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	tx := &txn{Tx: sqlTx, d: s.db.d}
	if s.db.beginWrite != "" {
		if _, err := tx.ExecContext(ctx, s.db.beginWrite); err != nil {
			tx.Rollback()
			return fmt.Errorf("taking the write lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, n := range tx.notes {
		s.notes.deliver(n.channel, n.payload)
	}
	return nil
}
