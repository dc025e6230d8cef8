package main

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestServeOnPostgres runs `cloudoven serve` on a PostgreSQL database given, password and
// all, as CLOUDOVEN_DATABASE_FILE: a project created through HTTP is there after a restart,
// no SQLite file appears in the data directory, and the password is in nothing serve
// printed or logged.
func TestServeOnPostgres(t *testing.T) {
	const dbPassword = "pg-pass-7f3a9c"
	u, err := url.Parse(testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	// The test cluster trusts local connections, so any password is accepted: this one is
	// only there to be kept out of the logs.
	u.User = url.UserPassword(u.User.Username(), dbPassword)
	urlFile := filepath.Join(t.TempDir(), "database-url")
	if err := os.WriteFile(urlFile, []byte(u.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLOUDOVEN_DATABASE_FILE", urlFile)
	const adminPassword = "correct-horse-battery-staple"
	dataDir := filepath.Join(t.TempDir(), "data")
	var logs lockedBuffer
	flags := []string{"-data-dir", dataDir, "-log-level", "info", "-admin-password", adminPassword}

	base, before, stop := startServeWith(t, &logs, flags...)
	if _, path := signIn(t, base, adminPassword).do(http.MethodPost, "/projects",
		url.Values{"name": {"payments"}, "description": {"kept in PostgreSQL"}}); path != "/projects/payments" {
		t.Fatalf("creating a project ended at %s", path)
	}
	stop()

	base, after, stop := startServeWith(t, &logs, flags...)
	defer stop()
	doc, _ := signIn(t, base, adminPassword).do(http.MethodGet, "/projects/payments", nil)
	if !strings.Contains(doc.Text(), "kept in PostgreSQL") {
		t.Errorf("after a restart, the project's page does not show its description:\n%s", doc.Text())
	}

	if _, err := os.Stat(filepath.Join(dataDir, "cloudoven.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a SQLite file in the data directory (%v): serve did not use PostgreSQL", err)
	}
	printed := strings.Join(append(before, after...), "") + logs.String()
	if !strings.Contains(logs.String(), "postgres://") {
		t.Errorf("the logs do not name the database:\n%s", logs.String())
	}
	if strings.Contains(printed, dbPassword) {
		t.Errorf("serve printed or logged the database password:\n%s", printed)
	}
}

// TestDatabaseFlags: -database and its older name -db say the same, a PostgreSQL URL is
// taken as it is, a file becomes absolute, and two different answers are refused.
func TestDatabaseFlags(t *testing.T) {
	dataDir := t.TempDir()
	tests := []struct {
		name, database, db string
		want               string
		wantErr            bool
	}{
		{name: "default", want: filepath.Join(dataDir, "cloudoven.db")},
		{name: "database file", database: filepath.Join(dataDir, "x.db"), want: filepath.Join(dataDir, "x.db")},
		{name: "older name", db: filepath.Join(dataDir, "y.db"), want: filepath.Join(dataDir, "y.db")},
		{name: "both the same", database: "postgres://h/db", db: "postgres://h/db", want: "postgres://h/db"},
		{name: "postgresql scheme", database: "postgresql://u:p@h/db", want: "postgresql://u:p@h/db"},
		{name: "both different", database: "postgres://h/db", db: filepath.Join(dataDir, "y.db"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := databaseFlags{database: &tt.database, db: &tt.db, dataDir: &dataDir}
			got, err := f.location()
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("location() = %q, %v; want %q, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
