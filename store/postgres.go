package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Advisory lock keys of the store in a PostgreSQL database. Their values are
// arbitrary but fixed: every replica must use the same ones.
const (
	// migrateLockKey is held, for the session, while a replica applies
	// migrations, so replicas starting at once apply each migration once,
	// in order.
	migrateLockKey int64 = 0x636f6f76_00000001
	// writeLockKey is held, for the transaction, by every transaction of
	// inTx: PostgreSQL's counterpart of SQLite's BEGIN IMMEDIATE. The
	// store's transactions read and then write (the next version number, a
	// draft's revision) and rely on nothing else writing in between.
	writeLockKey int64 = 0x636f6f76_00000002
)

// postgresSchemaMigrations is the bookkeeping table in PostgreSQL databases:
// the same columns as SQLite's.
const postgresSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		applied_at TEXT COLLATE "C" NOT NULL
	)`

// IsPostgresURL reports whether s names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgresURL(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok {
		return false
	}
	scheme = strings.ToLower(scheme)
	return scheme == "postgres" || scheme == "postgresql"
}

// RedactPassword returns s with the password of a database URL (in its user
// information or a password= parameter) replaced by xxxxx, for logs and
// error messages. Anything else is returned as it is.
func RedactPassword(s string) string {
	if !IsPostgresURL(s) {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		// The parser's error would quote the URL; say only what it is.
		return "a postgres URL that does not parse"
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// openPostgres opens the PostgreSQL database at dsn through pgx and brings
// its schema up to date under migrateLockKey.
func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	name := RedactPassword(dsn)
	if _, err := url.Parse(dsn); err != nil {
		return nil, fmt.Errorf("opening store %s: the URL does not parse", name)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", name, err)
	}
	// PostgreSQL gives each connection a process: keep the pool well under
	// its default max_connections of 100, so several replicas fit.
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{
		db: &database{
			DB:         db,
			d:          &postgresDialect{},
			beginWrite: fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", writeLockKey),
		},
		now:   func() time.Time { return time.Now().UTC() },
		notes: newNotifier(dsn),
	}
	if err := s.migratePostgres(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening store %s: %w", name, err)
	}
	return s, nil
}

func (s *Store) migratePostgres(ctx context.Context) error {
	ms, err := readMigrations(postgresMigrationFiles, "migrations/postgres")
	if err != nil {
		return fmt.Errorf("reading migrations: %w", err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("taking the migration lock: %w", err)
	}
	// A session lock outlives a failed migration on this connection: give
	// it back explicitly, with a context of its own since ctx may be done.
	defer func() {
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := conn.ExecContext(unlockCtx, `SELECT pg_advisory_unlock($1)`, migrateLockKey); err != nil {
			// Without the unlock the connection must not go back to the
			// pool: closing it ends the session and its lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return s.applyMigrations(ctx, ms, postgresSchemaMigrations)
}
