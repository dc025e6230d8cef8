package catalogview

import (
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// catalogLimit is how many search results the catalog page shows.
const catalogLimit = 50

// maxQueryLen cuts a search query short; no type name is near this long.
const maxQueryLen = 200

// maxSummaryLen cuts a type's description short in the results; the type page has it all.
const maxSummaryLen = 160

// catalogFragment is the results list, swapped alone as the user types.
const catalogFragment = "catalog-results"

// otherSubcategory heads the types whose docs name no subcategory, or that have no docs.
const otherSubcategory = "Other"

type catalogProps struct {
	Layout  page.Layout
	Search  catalogSearch
	Results catalogResults
}

// catalogSearch is the search box. In add mode it carries the blueprint along, so every
// search it sends stays in add mode.
type catalogSearch struct {
	Query string
	Add   *addTarget
}

// addTarget is the blueprint whose editor opened the catalog to add a type to its draft.
type addTarget struct {
	Project   string
	Blueprint string
}

// catalogResults is the search results for Query, or the catalog's providers when Query is
// empty. With Add set, each type can be added to that blueprint's draft.
type catalogResults struct {
	Query     string
	Add       *addTarget
	Groups    []resultGroup
	Count     int
	Truncated bool // the limit cut the results short
	Limit     int
	Providers []providerRow
}

// resultGroup is the matches of one provider, by subcategory.
type resultGroup struct {
	Source        string
	Name          string
	Version       string
	Subcategories []subcategoryGroup
}

// subcategoryGroup is the matches of one subcategory of a provider's docs, best match first.
type subcategoryGroup struct {
	Name  string // otherSubcategory for types without one
	Types []typeRow
}

type typeRow struct {
	Name    string
	Kind    string // resource or data
	Title   string // the doc page's title when it says more than the name
	Summary string // the doc's description, cut to a line
}

type providerRow struct {
	Source      string
	Name        string
	Version     string
	Resources   int
	DataSources int
}

// searchCatalog answers GET /catalog?q=...: the whole page, or only the results for the
// search box's htmx request. With valid project and blueprint names it is in add mode: the
// blueprint editor sends its users here to pick a type to add to the draft.
func (s *Handlers) searchCatalog(w http.ResponseWriter, r *http.Request) error {
	query := r.URL.Query()
	q := strings.TrimSpace(query.Get("q"))
	if len(q) > maxQueryLen {
		q = strings.ToValidUTF8(q[:maxQueryLen], "")
	}
	add := parseAddTarget(query.Get("project"), query.Get("blueprint"))
	props := catalogProps{
		Layout:  s.frame.Layout("Catalog", page.NavCatalog),
		Search:  catalogSearch{Query: q, Add: add},
		Results: s.catalogResults(q, add),
	}
	if s.crawls != nil {
		props.Layout.FootLink = page.Crumb{Label: "Crawl status", URL: paths.Crawls(), TestID: "crawls-link"}
	}
	return s.frame.Render(w, r, http.StatusOK, catalogPage(props), catalogFragment)
}

// parseAddTarget is the add mode's blueprint, or nil when either name is missing or invalid:
// a bad link then still shows the catalog, only without the Add buttons.
func parseAddTarget(project, blueprint string) *addTarget {
	if store.ValidName(project) != nil || store.ValidName(blueprint) != nil {
		return nil
	}
	return &addTarget{Project: project, Blueprint: blueprint}
}

// catalogResults searches the catalog for q; an empty q lists the providers, except in add
// mode, where the results show a hint instead.
func (s *Handlers) catalogResults(q string, add *addTarget) catalogResults {
	res := catalogResults{Query: q, Add: add, Limit: catalogLimit}
	if q == "" {
		if add == nil {
			res.Providers = s.providers()
		}
		return res
	}
	// One more than shown tells whether the limit cut anything off.
	matches := s.catalog().Search(q, "", catalogLimit+1)
	if len(matches) > catalogLimit {
		matches = matches[:catalogLimit]
		res.Truncated = true
	}
	res.Count = len(matches)
	res.Groups = groupMatches(matches)
	return res
}

// groupMatches groups matches by provider and, within a provider, by subcategory. Matches
// come best first, so ordering groups by first appearance orders them by their best match.
func groupMatches(matches []catalog.Match) []resultGroup {
	var groups []resultGroup
	byProvider := map[*catalog.Provider]int{}
	bySubcategory := map[*catalog.Provider]map[string]int{}
	for _, m := range matches {
		p := m.Type.Provider
		i, ok := byProvider[p]
		if !ok {
			i = len(groups)
			byProvider[p] = i
			bySubcategory[p] = map[string]int{}
			groups = append(groups, resultGroup{Source: p.Source, Name: p.Name, Version: p.Version})
		}
		g := &groups[i]
		sub := otherSubcategory
		if m.Type.Doc != nil && strings.TrimSpace(m.Type.Doc.Subcategory) != "" {
			sub = strings.TrimSpace(m.Type.Doc.Subcategory)
		}
		j, ok := bySubcategory[p][sub]
		if !ok {
			j = len(g.Subcategories)
			bySubcategory[p][sub] = j
			g.Subcategories = append(g.Subcategories, subcategoryGroup{Name: sub})
		}
		g.Subcategories[j].Types = append(g.Subcategories[j].Types, newTypeRow(m.Type))
	}
	return groups
}

func newTypeRow(t *catalog.Type) typeRow {
	row := typeRow{Name: t.Name, Kind: string(t.Kind)}
	if t.Doc == nil {
		return row
	}
	// Most doc pages are titled with the bare type name, which the row shows already.
	if title := strings.TrimSpace(t.Doc.Title); title != t.Name {
		row.Title = title
	}
	row.Summary = summaryLine(t.Doc.Description)
	return row
}

// summaryLine is the first sentence of a doc description, cut at a word when it runs long.
func summaryLine(desc string) string {
	s := strings.Join(strings.Fields(desc), " ")
	// A description can open with a callout marker from the markdown: "-> Note ...".
	for _, marker := range []string{"-> ", "~> ", "!> "} {
		s = strings.TrimPrefix(s, marker)
	}
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	if len(s) <= maxSummaryLen {
		return s
	}
	cut := s[:maxSummaryLen]
	if i := strings.LastIndexByte(cut, ' '); i > 0 {
		cut = cut[:i]
	}
	return strings.ToValidUTF8(strings.TrimRight(cut, " ,;:"), "") + "…"
}

// providerRows summarises the catalog's providers. Counts come from the catalog's own types,
// so a type two providers define counts once, for the provider that won it.
func providerRows(cat *catalog.Catalog) []providerRow {
	rows := make([]providerRow, 0, len(cat.Providers()))
	index := map[*catalog.Provider]int{}
	for _, p := range cat.Providers() {
		index[p] = len(rows)
		rows = append(rows, providerRow{Source: p.Source, Name: p.Name, Version: p.Version})
	}
	for _, kind := range []catalog.Kind{catalog.KindResource, catalog.KindDataSource} {
		for _, name := range cat.TypeNames(kind) {
			i, ok := index[cat.Lookup(kind, name).Provider]
			if !ok {
				continue
			}
			if kind == catalog.KindResource {
				rows[i].Resources++
			} else {
				rows[i].DataSources++
			}
		}
	}
	return rows
}

type catalogRows struct {
	cat  *catalog.Catalog
	rows []providerRow
}

// providers summarises the current catalog's providers, recomputed only after a swap.
func (s *Handlers) providers() []providerRow {
	cat := s.catalog()
	if r := s.rows.Load(); r != nil && r.cat == cat {
		return r.rows
	}
	r := &catalogRows{cat: cat, rows: providerRows(cat)}
	s.rows.Store(r)
	return r.rows
}
