package testenv

import (
	"sync"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
)

// The embedded catalog takes a noticeable moment to load, so a test binary loads it once.
var (
	catalogOnce sync.Once
	defaultCat  *catalog.Catalog
	catalogErr  error
)

// Catalog is the catalog embedded in the binary, loaded once per test binary. Tests must not
// change it.
func Catalog(tb testing.TB) *catalog.Catalog {
	tb.Helper()
	catalogOnce.Do(func() { defaultCat, catalogErr = catalog.Load(catalog.Embedded()) })
	if catalogErr != nil {
		tb.Fatalf("loading the embedded catalog: %v", catalogErr)
	}
	return defaultCat
}
