package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"
)

// MaxDocumentBytes is the largest blueprint or environment document the
// store accepts.
const MaxDocumentBytes = 8 << 20

// MaxTextBytes is the largest description or version message the store
// accepts.
const MaxTextBytes = 4 << 10

var (
	// ErrNotFound reports that a project, blueprint, version, environment
	// or deployment does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports that a name (or a blueprint/environment pair, or a
	// state key) is already taken.
	ErrConflict = errors.New("conflict")
	// ErrInvalidName reports a name that ValidName refuses, or a state key
	// that is not a clean relative path.
	ErrInvalidName = errors.New("invalid name")
	// ErrTooLarge reports a document over MaxDocumentBytes or a text over
	// MaxTextBytes.
	ErrTooLarge = errors.New("too large")
)

// kindError carries a message written for people together with the
// sentinel it stands for and, when there is one, the driver error behind it.
// Keeping the sentinel out of the text avoids messages that end in
// ": not found" after already saying so.
type kindError struct {
	kind  error
	msg   string
	cause error
}

func (e *kindError) Error() string { return e.msg }

func (e *kindError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func errorf(kind, cause error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...), cause: cause}
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

//go:embed migrations/postgres/*.sql
var postgresMigrationFiles embed.FS

// Store is CloudOven's persistence on one SQLite file or one PostgreSQL
// database. It is safe for concurrent use.
type Store struct {
	db    *database
	now   func() time.Time
	notes *notifier // see Notify and Listen
	// archive is the blob store of saved plans and finished runs' logs (SetArchive).
	archive archive
	// crawlGuard is TryCrawlLock's lock on SQLite; nil on PostgreSQL, which uses an
	// advisory lock.
	crawlGuard *atomic.Bool
}

// Open opens the store at path and brings its schema up to date: a
// PostgreSQL database when path is a postgres:// or postgresql:// URL (see
// IsPostgresURL), otherwise the SQLite file at path, created if needed. It
// refuses a database written by a newer build.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("opening store: no database path given")
	}
	if IsPostgresURL(path) {
		return openPostgres(ctx, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	// A new database is readable by its owner only: it holds password hashes and sealed
	// secrets. SQLite gives the -wal and -shm files the database file's permissions.
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	s := &Store{db: &database{DB: db, d: sqliteDialect{}}, now: func() time.Time { return time.Now().UTC() },
		notes: newNotifier(""), crawlGuard: sqliteCrawlGuard(abs)}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	return s, nil
}

// dsn builds a file: URI so that a path holding '?', '#' or '%' is escaped
// rather than read as URI syntax. Every connection in the pool runs the
// pragmas. _txlock=immediate makes each transaction take the write lock at
// BEGIN: a deferred transaction that reads and then writes can fail with
// SQLITE_BUSY at once when another writer got there first, whatever the
// busy timeout, and all of the store's transactions write.
func dsn(abs string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // a Windows volume: file:///C:/...
	}
	return u.String()
}

// Close closes the database, ending every Listen.
func (s *Store) Close() error {
	s.notes.close()
	return s.db.Close()
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations reads the embedded SQLite migrations, named NNNN_what.sql, in
// version order.
func migrations() ([]migration, error) {
	return readMigrations(migrationFiles, "migrations")
}

// readMigrations reads the files named NNNN_what.sql in dir, in version
// order.
func readMigrations(fsys embed.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		prefix, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name does not start with a version like 0001_", e.Name())
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s: both have version %d", other, e.Name(), v)
		}
		seen[v] = e.Name()
		b, err := fsys.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// sqliteSchemaMigrations is the bookkeeping table in SQLite files.
const sqliteSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("reading migrations: %w", err)
	}
	return s.applyMigrations(ctx, ms, sqliteSchemaMigrations)
}

// applyMigrations creates the bookkeeping table with createTable and applies
// each migration of ms not yet recorded in it, each in its own transaction.
func (s *Store) applyMigrations(ctx context.Context, ms []migration, createTable string) error {
	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	if _, err := s.db.ExecContext(ctx, createTable); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("database schema version %d is newer than this build supports (%d)", current, known)
	}
	for _, m := range ms {
		// Checked again inside the transaction: another process may have
		// applied it since the read above, and the write lock orders us
		// behind it.
		err := s.inTx(ctx, func(tx *txn) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				m.version, formatTime(s.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("applying migration %s: %w", m.name, err)
		}
	}
	return nil
}

// querier is what *database and *txn share, so lookups run in either.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ValidName reports whether s may name a project, blueprint or environment.
// Names end up in URLs, file names and state keys, so they are kept to
// 1-63 lowercase letters, digits, '-' and '_', starting with a letter or
// digit.
func ValidName(s string) error {
	ok := len(s) >= 1 && len(s) <= 63
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case (c == '-' || c == '_') && i > 0:
		default:
			ok = false
		}
	}
	if ok {
		return nil
	}
	return errorf(ErrInvalidName, nil,
		"name %s is not valid: use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit", quote(s))
}

// quote quotes s for an error message, cutting very long input short so a
// hostile name cannot flood a log.
func quote(s string) string {
	const max = 80
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:max]) + "..."
}

func checkDocument(doc []byte) error {
	if len(doc) > MaxDocumentBytes {
		return errorf(ErrTooLarge, nil, "document is %d bytes; the limit is %d bytes (8 MiB)", len(doc), MaxDocumentBytes)
	}
	return nil
}

func checkText(what, s string) error {
	if len(s) > MaxTextBytes {
		return errorf(ErrTooLarge, nil, "%s is %d bytes; the limit is %d bytes", what, len(s), MaxTextBytes)
	}
	return nil
}

// blob keeps a nil document from being bound as NULL.
func blob(doc []byte) []byte {
	if doc == nil {
		return []byte{}
	}
	return doc
}

func sha256Hex(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation, in
// either database.
func isUnique(err error) bool {
	return err != nil && (sqliteDialect{}.unique(err) || (*postgresDialect)(nil).unique(err))
}

// isForeignKey reports whether err is a FOREIGN KEY violation, in either
// database.
func isForeignKey(err error) bool {
	return err != nil && (sqliteDialect{}.foreignKey(err) || (*postgresDialect)(nil).foreignKey(err))
}

// timeLayout is RFC 3339 with a fixed nine-digit fraction, so stored times
// sort as text and read back exactly.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

// timeColumn scans a stored time into dst.
type timeColumn struct{ dst *time.Time }

func (c timeColumn) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scanning time: got %T, want text", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("scanning time: %w", err)
	}
	*c.dst = t.UTC()
	return nil
}

// noLimit stands for "all rows" in a LIMIT: SQLite reads a negative limit
// so, PostgreSQL refuses one.
const noLimit = math.MaxInt64
