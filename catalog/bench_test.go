package catalog_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
)

// BenchmarkLoadEmbedded is the start-up cost of the default catalog: all six providers,
// 1,692 types, hashes checked.
func BenchmarkLoadEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := catalog.Load(catalog.Embedded()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearch is one search-as-you-type keystroke over every type; "aks node pool"
// goes through an alias.
func BenchmarkSearch(b *testing.B) {
	c := embedded(b)
	for _, q := range []string{"k", "kubernetes", "kubernetes cluster", "key vault secret", "aks node pool"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				c.Search(q, "", 50)
			}
		})
	}
}
