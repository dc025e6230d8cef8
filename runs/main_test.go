package runs

import (
	"os"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestMain stops the PostgreSQL cluster that tests of logs followed across
// replicas start (testenv.Postgres).
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.StopPostgres()
	os.Exit(code)
}
