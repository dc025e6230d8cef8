package testenv

import (
	"maps"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
)

// TypeRules are docs rules to give one type in CatalogWithRules, keyed by schema path.
type TypeRules map[string][]catalog.Rule

// CatalogWithRules is a private copy of the embedded catalog whose types named in rules
// (a managed resource type by name, a data source as "data.<name>") carry those rules in
// their docs (catalog.Doc.Rules), and no others: for tests of what consumes the crawler's
// rules, independent of what the crawler mines. The embedded catalog is left as it is.
func CatalogWithRules(tb testing.TB, rules map[string]TypeRules) *catalog.Catalog {
	tb.Helper()
	base := Catalog(tb)
	owner := map[string]*catalog.Type{}
	for key := range rules {
		kind, name := catalog.KindResource, key
		if n, ok := strings.CutPrefix(key, "data."); ok {
			kind, name = catalog.KindDataSource, n
		}
		typ := base.Lookup(kind, name)
		if typ == nil {
			tb.Fatalf("CatalogWithRules: the catalog has no %s type %s", kind, name)
		}
		owner[key] = typ
	}
	var providers []*catalog.Provider
	for _, p := range base.Providers() {
		cp := *p
		docs := catalog.Docs{}
		if p.Docs != nil {
			docs = *p.Docs
		}
		docs.Resources = maps.Clone(docs.Resources)
		docs.DataSources = maps.Clone(docs.DataSources)
		for key, r := range rules {
			typ := owner[key]
			if typ.Provider != p {
				continue
			}
			into := &docs.Resources
			if typ.Kind == catalog.KindDataSource {
				into = &docs.DataSources
			}
			if *into == nil {
				*into = map[string]*catalog.Doc{}
			}
			doc := catalog.Doc{}
			if d := (*into)[typ.Name]; d != nil {
				doc = *d
			}
			doc.Rules = map[string][]catalog.Rule(r)
			(*into)[typ.Name] = &doc
		}
		cp.Docs = &docs
		providers = append(providers, &cp)
	}
	c, err := catalog.New(providers)
	if err != nil {
		tb.Fatalf("CatalogWithRules: %v", err)
	}
	return c
}
