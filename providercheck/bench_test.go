package providercheck_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/providercheck"
	"github.com/cloudoven/cloudoven/starters"
)

// BenchmarkCheckAKSStarter is the editor's "Check with providers" on the aks-baseline
// starter with a warm mirror: terraform init + validate -json with the provider binaries and
// the diagnostics placed (warm), and the answer the store keeps for the same files and
// provider versions (cached). azurerm itself cannot be downloaded here: internal/schemaprovider
// stands in for it, serving its real schema over the plugin protocol with no provider-side
// checks, so "warm" is terraform's and the plugin protocol's share of a real check.
func BenchmarkCheckAKSStarter(b *testing.B) {
	tf := testenv.Terraform(b)
	mirror := schemaMirror(b, testenv.Catalog(b))
	bp, err := starters.Blueprint("aks-baseline", "aks-baseline")
	if err != nil {
		b.Fatal(err)
	}
	opts := providercheck.Options{Terraform: tf, Mirror: providercheck.MirrorDir(mirror), TempDir: b.TempDir()}
	if _, err := providercheck.New(opts).Check(b.Context(), bp); err != nil {
		b.Fatal(err)
	}
	b.Run("warm", func(b *testing.B) {
		c := providercheck.New(opts)
		for b.Loop() {
			if _, err := c.Check(b.Context(), bp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		cached := opts
		cached.Cache = &mapCache{}
		c := providercheck.New(cached)
		if _, err := c.Check(b.Context(), bp); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			r, err := c.Check(b.Context(), bp)
			if err != nil || !r.Cached {
				b.Fatalf("not answered from the cache: %v", err)
			}
		}
	})
}
