package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/google/go-cmp/cmp"
)

// newStore opens a store with a clock that steps one second per reading,
// so times are distinct and predictable: on a real SQLite file in a fresh
// directory (one level down, so Open has to create it), or when
// CLOUDOVEN_TEST_STORE=postgres on a fresh PostgreSQL database (see
// TestMain).
func newStore(t *testing.T) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "cloudoven.db")
	if testDialect == "postgres" {
		path = testenv.Postgres(t)
	}
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.now = steppingClock()
	openedAt.Store(s, path)
	return s
}

// openedAt holds the path or URL newStore opened each store at, for tests that open the
// same database a second time (another server).
var openedAt sync.Map

// newSQLiteStore is newStore on SQLite whatever CLOUDOVEN_TEST_STORE says,
// for tests of what only SQLite has.
func newSQLiteStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "data", "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.now = steppingClock()
	return s
}

func steppingClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// count returns the number of rows in table, read past the store's API.
func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func schemaVersions(t *testing.T, s *Store) map[int]string {
	t.Helper()
	rows, err := s.db.Query(`SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int]string{}
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		got[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "a", "b", "cloudoven.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 || ms[0].name != "0001_init.sql" {
		t.Fatalf("migrations start with %+v, want 0001_init.sql", ms)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	first := schemaVersions(t, s)
	if len(first) != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", len(first), len(ms))
	}
	for _, m := range ms {
		if _, ok := first[m.version]; !ok {
			t.Errorf("migration %s not recorded", m.name)
		}
	}
	if _, err := s.CreateProject(ctx, "payments", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		t.Fatalf("parent directory: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer s.Close()
	if diff := cmp.Diff(first, schemaVersions(t, s)); diff != "" {
		t.Errorf("schema_migrations changed on reopen (-first +second):\n%s", diff)
	}
	if _, err := s.Project(ctx, "payments"); err != nil {
		t.Errorf("project lost on reopen: %v", err)
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	t.Parallel()
	s := newSQLiteStore(t)
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
	}
	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			var got string
			if err := s.db.QueryRow(`PRAGMA ` + tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later')`); err != nil {
		t.Fatal(err)
	}
	s.Close()

	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path)
	want := fmt.Sprintf("database schema version 99 is newer than this build supports (%d)", ms[len(ms)-1].version)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Open of a newer database: got error %v, want one containing %q", err, want)
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	t.Parallel()
	// The DSN is a file: URI; these must reach the file system as written.
	path := filepath.Join(t.TempDir(), "odd dir?x=1#frag%41", "cloud oven.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the given path: %v", err)
	}
}

func TestValidName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"payments", true},
		{"a", true},
		{"0day", true},
		{"team-a_prod-2", true},
		{strings.Repeat("a", 63), true},
		{"", false},
		{strings.Repeat("a", 64), false},
		{"../x", false},
		{"has space", false},
		{"UPPER", false},
		{"-lead", false},
		{"_lead", false},
		{"a.b", false},
		{"a/b", false},
		{"café", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidName(tt.name)
			if tt.ok {
				if err != nil {
					t.Errorf("ValidName(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidName) {
				t.Fatalf("ValidName(%q) = %v, want ErrInvalidName", tt.name, err)
			}
			if !strings.Contains(err.Error(), "use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit") {
				t.Errorf("ValidName(%q) = %q, want it to say what is allowed", tt.name, err)
			}
		})
	}
}

func TestValidNameMessage(t *testing.T) {
	t.Parallel()
	got := ValidName("../x").Error()
	want := `name "../x" is not valid: use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit`
	if got != want {
		t.Errorf("ValidName(\"../x\") = %q, want %q", got, want)
	}
	if long := ValidName(strings.Repeat("x", 10000)).Error(); len(long) > 300 {
		t.Errorf("message for a 10000-byte name is %d bytes, want it cut short", len(long))
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	if _, err := s.CreateProject(ctx, "payments", ""); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateProject(ctx, "payments", "")
	if got, want := err.Error(), `creating project "payments": a project with that name already exists`; got != want {
		t.Errorf("conflict: got %q, want %q", got, want)
	}
	_, err = s.Blueprint(ctx, "nope", "aks")
	if got, want := err.Error(), `reading blueprint "aks" in project "nope": no such project`; got != want {
		t.Errorf("not found: got %q, want %q", got, want)
	}
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name string
		call func() error
	}{
		{"CreateProject", func() error { _, err := s.CreateProject(ctx, "p", ""); return err }},
		{"Projects", func() error { _, err := s.Projects(ctx); return err }},
		{"CreateBlueprint", func() error { _, _, err := s.CreateBlueprint(ctx, "p", "b", "", nil, ""); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want context.Canceled", err)
			}
		})
	}
	if n := count(t, s, "projects"); n != 0 {
		t.Errorf("%d projects written under a canceled context", n)
	}
}

func TestNewDatabaseIsPrivate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "cloudoven.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateProject(t.Context(), "team", ""); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{path, path + "-wal"} {
		info, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode&0o077 != 0 {
			t.Errorf("%s has mode %o, want no access for group or others", filepath.Base(name), mode)
		}
	}
}
