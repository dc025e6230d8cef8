package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/google/go-cmp/cmp"
)

// newPostgresStore is newStore on PostgreSQL whatever CLOUDOVEN_TEST_STORE says, for tests
// of what only PostgreSQL has.
func newPostgresStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.now = steppingClock()
	return s
}

func TestMigrationListsMatch(t *testing.T) {
	t.Parallel()
	sqlite, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	postgres, err := readMigrations(postgresMigrationFiles, "migrations/postgres")
	if err != nil {
		t.Fatal(err)
	}
	names := func(ms []migration) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.name)
		}
		return out
	}
	if diff := cmp.Diff(names(sqlite), names(postgres)); diff != "" {
		t.Errorf("migrations/ and migrations/postgres/ differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestRebindDollar(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`SELECT '?' FROM t WHERE b = ?`, `SELECT '?' FROM t WHERE b = $1`},
		{`SELECT 'it''s ?', ? FROM t`, `SELECT 'it''s ?', $1 FROM t`},
		{`SELECT "a?b" FROM t WHERE c = ?`, `SELECT "a?b" FROM t WHERE c = $1`},
		{"SELECT ? -- why?\nFROM t WHERE c = ?", "SELECT $1 -- why?\nFROM t WHERE c = $2"},
		{`SELECT a - ? FROM t`, `SELECT a - $1 FROM t`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
		{`SELECT ? -- to the end?`, `SELECT $1 -- to the end?`},
	}
	for _, tt := range tests {
		if got := rebindDollar(tt.in); got != tt.want {
			t.Errorf("rebindDollar(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPostgresArgs(t *testing.T) {
	t.Parallel()
	in := []any{true, false, "plain", "nul\x00here", "bad \xff utf8", []byte{0, 0xff}, 7}
	want := []any{int64(1), int64(0), "plain", "nul\uFFFDhere", "bad \uFFFD utf8", []byte{0, 0xff}, 7}
	if diff := cmp.Diff(want, (&postgresDialect{}).args(in)); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if in[0] != true {
		t.Error("args changed its argument slice")
	}
}

func TestRedactPassword(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"data/cloudoven.db", "data/cloudoven.db"},
		{"postgres://app:s3cret@db.example:5432/cloudoven?sslmode=require", "postgres://app:xxxxx@db.example:5432/cloudoven?sslmode=require"},
		{"postgresql://app@db/cloudoven", "postgresql://app@db/cloudoven"},
		{"postgres://db/cloudoven?password=s3cret&user=app", "postgres://db/cloudoven?password=xxxxx&user=app"},
		{"postgres://app:s3cret@db/%zz", "a postgres URL that does not parse"},
	}
	for _, tt := range tests {
		if got := RedactPassword(tt.in); got != tt.want {
			t.Errorf("RedactPassword(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPostgresOpenConcurrently opens one new database from several stores at once, as
// replicas starting together do: the migration lock lets each migration run once, and
// every store works.
func TestPostgresOpenConcurrently(t *testing.T) {
	t.Parallel()
	dsn := testenv.Postgres(t)
	ctx := t.Context()
	const replicas = 4
	stores := make([]*Store, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, dsn)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	ms, err := readMigrations(postgresMigrationFiles, "migrations/postgres")
	if err != nil {
		t.Fatal(err)
	}
	if got := schemaVersions(t, stores[0]); len(got) != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", len(got), len(ms))
	}
	for i, s := range stores {
		if _, err := s.CreateProject(ctx, "team-"+string(rune('a'+i)), ""); err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	ps, err := stores[replicas-1].Projects(ctx)
	if err != nil || len(ps) != replicas {
		t.Errorf("Projects = %d projects, %v; want %d", len(ps), err, replicas)
	}
}

// TestPostgresRefusesANewerSchema: a database migrated by a newer build is refused, as a
// SQLite file is.
func TestPostgresRefusesANewerSchema(t *testing.T) {
	t.Parallel()
	dsn := testenv.Postgres(t)
	ctx := t.Context()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 'later')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(ctx, dsn)
	if err == nil || !strings.Contains(err.Error(), "newer than this build supports") {
		t.Errorf("Open of a newer schema = %v, want a refusal", err)
	}
}

// TestPostgresOpenHidesThePassword: an error opening a database names it without its
// password.
func TestPostgresOpenHidesThePassword(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Open(ctx, "postgres://app:s3cret-value@127.0.0.1:1/none?connect_timeout=1")
	if err == nil {
		t.Fatal("Open of an unreachable database succeeded")
	}
	if strings.Contains(err.Error(), "s3cret-value") {
		t.Errorf("the error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "postgres://app:xxxxx@127.0.0.1:1/none") {
		t.Errorf("the error does not name the database: %v", err)
	}
}

// TestPostgresErrorMapping: PostgreSQL's unique and foreign key violations reach callers
// as SQLite's do.
func TestPostgresErrorMapping(t *testing.T) {
	t.Parallel()
	s := newPostgresStore(t)
	ctx := t.Context()
	if _, err := s.CreateProject(ctx, "payments", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateProject(ctx, "payments", ""); !errors.Is(err, ErrConflict) {
		t.Errorf("a second project payments: %v, want ErrConflict", err)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO blueprints (project_id, name, created_at) VALUES (?, 'x', 'now')`, 12345)
	if !isForeignKey(err) || isUnique(err) {
		t.Errorf("a blueprint of a missing project: %v, want a foreign key violation", err)
	}
}
