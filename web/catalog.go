package web

import (
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/schemas"
)

// catalogLimit is how many search results the catalog page shows.
const catalogLimit = 50

// maxQueryLen cuts a search query short; no type name is near this long.
const maxQueryLen = 200

// catalogFragment is the results list, swapped alone as the user types.
const catalogFragment = "catalog-results"

type catalogProps struct {
	Layout  layoutProps
	Query   string
	Results catalogResults
}

// catalogResults is the search results for Query, or the catalog's providers when Query is
// empty.
type catalogResults struct {
	Query     string
	Groups    []resultGroup
	Count     int
	Truncated bool // the limit cut the results short
	Limit     int
	Providers []providerRow
}

// resultGroup is the matches of one provider, best match first.
type resultGroup struct {
	Source  string
	Name    string
	Version string
	Types   []typeRow
}

type typeRow struct {
	Name        string
	Kind        string // resource or data
	Subcategory string
}

type providerRow struct {
	Source      string
	Name        string
	Version     string
	Resources   int
	DataSources int
}

// searchCatalog answers GET /catalog?q=...: the whole page, or only the results for the
// search box's htmx request.
func (s *server) searchCatalog(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > maxQueryLen {
		q = strings.ToValidUTF8(q[:maxQueryLen], "")
	}
	props := catalogProps{
		Layout:  s.layout("Catalog", navCatalog),
		Query:   q,
		Results: catalogResults{Query: q, Limit: catalogLimit},
	}
	if q == "" {
		props.Results.Providers = s.providers()
	} else {
		// One more than shown tells whether the limit cut anything off.
		matches := s.catalog().Search(q, "", catalogLimit+1)
		if len(matches) > catalogLimit {
			matches = matches[:catalogLimit]
			props.Results.Truncated = true
		}
		props.Results.Count = len(matches)
		props.Results.Groups = groupByProvider(matches)
	}
	return s.render(w, r, http.StatusOK, catalogPage(props), catalogFragment)
}

// groupByProvider groups matches by provider, ordering groups by their best match.
func groupByProvider(matches []schemas.Match) []resultGroup {
	var groups []resultGroup
	index := map[*schemas.Provider]int{}
	for _, m := range matches {
		p := m.Type.Provider
		i, ok := index[p]
		if !ok {
			i = len(groups)
			index[p] = i
			groups = append(groups, resultGroup{Source: p.Source, Name: p.Name, Version: p.Version})
		}
		row := typeRow{Name: m.Type.Name, Kind: string(m.Type.Kind)}
		if m.Type.Doc != nil {
			row.Subcategory = m.Type.Doc.Subcategory
		}
		groups[i].Types = append(groups[i].Types, row)
	}
	return groups
}

// providerRows summarises the catalog's providers. Counts come from the catalog's own types,
// so a type two providers define counts once, for the provider that won it.
func providerRows(cat *schemas.Catalog) []providerRow {
	rows := make([]providerRow, 0, len(cat.Providers()))
	index := map[*schemas.Provider]int{}
	for _, p := range cat.Providers() {
		index[p] = len(rows)
		rows = append(rows, providerRow{Source: p.Source, Name: p.Name, Version: p.Version})
	}
	for _, kind := range []schemas.Kind{schemas.KindResource, schemas.KindDataSource} {
		for _, name := range cat.TypeNames(kind) {
			i, ok := index[cat.Lookup(kind, name).Provider]
			if !ok {
				continue
			}
			if kind == schemas.KindResource {
				rows[i].Resources++
			} else {
				rows[i].DataSources++
			}
		}
	}
	return rows
}
