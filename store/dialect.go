package store

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is what differs between the two databases the store runs on. The
// store's SQL is written once, in the subset both understand, with SQLite's
// '?' placeholders; a dialect rewrites a statement where it must (rebind),
// adapts arguments the other driver would refuse (args), and reads the
// driver's errors (unique, foreignKey, retryable). Schemas differ more and
// have a migration list each (migrations/ and migrations/postgres/).
type dialect interface {
	name() string
	rebind(query string) string
	args(args []any) []any
	unique(err error) bool
	foreignKey(err error) bool
	// retryable reports an error after which the whole transaction may be
	// run again and succeed.
	retryable(err error) bool
}

type sqliteDialect struct{}

func (sqliteDialect) name() string               { return "sqlite" }
func (sqliteDialect) rebind(query string) string { return query }
func (sqliteDialect) args(args []any) []any      { return args }

func (sqliteDialect) unique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
		return false
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func (sqliteDialect) foreignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}

// retryable is false: the busy timeout already waits for the write lock,
// which every transaction takes at BEGIN (see dsn).
func (sqliteDialect) retryable(error) bool { return false }

// PostgreSQL error codes the store reads (Appendix A of its manual).
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

type postgresDialect struct {
	// queries caches rebound statements: the store's statements are
	// constants, so the cache is as small as the code.
	queries sync.Map
}

func (*postgresDialect) name() string { return "postgres" }

func (d *postgresDialect) rebind(query string) string {
	if q, ok := d.queries.Load(query); ok {
		return q.(string)
	}
	q := rebindDollar(query)
	d.queries.Store(query, q)
	return q
}

// rebindDollar turns each '?' placeholder into $1, $2, ... in order,
// leaving alone a '?' inside a string literal, a quoted identifier or a
// comment.
func rebindDollar(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+1])
			i += end
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// args adapts values to the PostgreSQL schema, which keeps SQLite's
// integer flags (0/1 columns), and to its text type, which refuses NUL and
// invalid UTF-8 where SQLite stores any bytes: those are replaced with
// U+FFFD, as a browser shows them anyway.
func (*postgresDialect) args(args []any) []any {
	var out []any
	for i, a := range args {
		var v any
		switch a := a.(type) {
		case bool:
			if a {
				v = int64(1)
			} else {
				v = int64(0)
			}
		case string:
			if utf8.ValidString(a) && !strings.ContainsRune(a, 0) {
				continue
			}
			v = strings.ReplaceAll(strings.ToValidUTF8(a, "\uFFFD"), "\x00", "\uFFFD")
		default:
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = v
	}
	if out == nil {
		return args
	}
	return out
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func (*postgresDialect) unique(err error) bool     { return pgCode(err) == pgUniqueViolation }
func (*postgresDialect) foreignKey(err error) bool { return pgCode(err) == pgForeignKeyViolation }

func (*postgresDialect) retryable(err error) bool {
	switch pgCode(err) {
	case pgSerializationFailure, pgDeadlockDetected:
		return true
	}
	return false
}
