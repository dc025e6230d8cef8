package store

import (
	"fmt"
	"os"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// testDialect is the database newStore opens: "sqlite" (the default) or
// "postgres", from CLOUDOVEN_TEST_STORE. `make test` runs the package once
// with each, so the whole suite holds on both. Tests of what only one of
// them has (SQLite's files, PostgreSQL's migration lock) open their own.
var testDialect = "sqlite"

func TestMain(m *testing.M) {
	switch d := os.Getenv("CLOUDOVEN_TEST_STORE"); d {
	case "", "sqlite":
	case "postgres":
		testDialect = d
	default:
		fmt.Fprintf(os.Stderr, "CLOUDOVEN_TEST_STORE=%q: want sqlite or postgres\n", d)
		os.Exit(2)
	}
	code := m.Run()
	testenv.StopPostgres()
	os.Exit(code)
}
