package providercheck

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"

	"github.com/cloudoven/cloudoven/blueprint"
)

// cacheKey names a check by what decides its answer: the generated files, the provider
// versions init takes, and terraform's version; and the order of b's required providers and
// provider configurations, which the paths index (the files sort the former, so two
// blueprints may write the same files with them in another order). Lengths go in before
// contents, so no two different inputs write the same bytes.
func cacheKey(b *blueprint.Blueprint, files []blueprint.File, providers []Provider, terraform string) string {
	h := sha256.New()
	field := func(h hash.Hash, s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	field(h, "providercheck/1")
	field(h, terraform)
	sorted := append([]blueprint.File(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, f := range sorted {
		field(h, f.Name)
		field(h, string(f.Content))
	}
	for _, p := range providers {
		field(h, p.Source)
		field(h, p.Version)
	}
	for _, rp := range b.RequiredProviders {
		field(h, "required:"+rp.Name)
	}
	for _, pc := range b.Providers {
		field(h, "provider:"+pc.Address())
	}
	return hex.EncodeToString(h.Sum(nil))
}
