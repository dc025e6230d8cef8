// Package corpus is the measuring corpus of the truth tests: every example configuration
// of every doc page of the catalog's providers, as a user would paste it. The examples are
// the providers' own (what real users' Terraform looks like), not CloudOven's goldens.
//
// It is a package of tests: no product code imports it.
package corpus

import (
	"fmt"
	"sort"

	"github.com/cloudoven/cloudoven/catalog"
)

// Example is one example configuration of one doc page.
type Example struct {
	Provider string       // azurerm
	Kind     catalog.Kind // the kind of the page's type
	Type     string       // azurerm_kubernetes_cluster: the page it comes from
	Index    int          // its place among the page's examples, from 0
	Source   string       // the HCL, as the page shows it
}

// Name says where the example comes from: "azurerm/resource/azurerm_kubernetes_cluster#0".
func (e Example) Name() string {
	return fmt.Sprintf("%s/%s/%s#%d", e.Provider, e.Kind, e.Type, e.Index)
}

// Examples lists every example of every doc page of the catalog, by provider, kind, type and
// index, so runs over it are reproducible.
func Examples(cat *catalog.Catalog) []Example {
	var out []Example
	for _, p := range cat.Providers() {
		for _, kind := range []catalog.Kind{catalog.KindResource, catalog.KindDataSource} {
			docs := p.Docs.Resources
			if kind == catalog.KindDataSource {
				docs = p.Docs.DataSources
			}
			names := make([]string, 0, len(docs))
			for name := range docs {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				for i, src := range docs[name].Examples {
					out = append(out, Example{Provider: p.Name, Kind: kind, Type: name, Index: i, Source: src})
				}
			}
		}
	}
	return out
}
