package state

import (
	"os"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestMain stops the PostgreSQL cluster the authorizer's tests start (testenv.Postgres).
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopPostgres()
	os.Exit(code)
}
