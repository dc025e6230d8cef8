package catalog

import (
	"sort"
	"strings"
)

// Match is one search result.
type Match struct {
	Type  *Type
	Score int
}

type searchEntry struct {
	typ         *Type
	name        string   // azurerm_kubernetes_cluster
	short       string   // kubernetes_cluster: the name without the provider prefix
	words       []string // kubernetes, cluster
	initials    string   // kc: what an abbreviation of the name would be
	subcategory string   // container
	title       string
}

func (c *Catalog) buildSearch() {
	for _, m := range []map[string]*Type{c.resources, c.data} {
		for _, t := range m {
			e := searchEntry{typ: t, name: t.Name, short: strings.TrimPrefix(t.Name, t.Provider.Name+"_")}
			e.words = strings.Split(e.short, "_")
			e.initials = initials(e.words)
			if t.Doc != nil {
				e.subcategory = strings.ToLower(t.Doc.Subcategory)
				e.title = strings.ToLower(t.Doc.Title)
			}
			c.search = append(c.search, e)
		}
	}
	// A stable base order makes equal scores come out the same way every time.
	sort.Slice(c.search, func(i, j int) bool {
		a, b := c.search[i], c.search[j]
		if a.name != b.name {
			return a.name < b.name
		}
		return a.typ.Kind < b.typ.Kind
	})
}

// Search finds resource and data source types for a query typed into a search box: every
// word of the query must match the type name, its title or its subcategory, or be an alias
// of the type (aks, vnet, nsg: aliases.txt) or the initials of its name (law for
// log_analytics_workspace). Results rank the types an alias names first, then an exact
// name, prefixes of the name or of its words, initials, substrings, then subcategory
// matches; resources before data sources at equal scores. kind "" searches both. limit <= 0
// means no limit.
func (c *Catalog) Search(query string, kind Kind, limit int) []Match {
	terms := strings.Fields(strings.ToLower(strings.NewReplacer("-", "_", ".", " ").Replace(query)))
	if len(terms) == 0 {
		return nil
	}
	// Words typed with spaces usually spell a type name: "kubernetes cluster".
	phrase := strings.Join(terms, "_")
	alias := make([]*aliasMatch, len(terms))
	for i, term := range terms {
		alias[i] = aliasFor(term)
	}
	var out []Match
	for i := range c.search {
		e := &c.search[i]
		if kind != "" && e.typ.Kind != kind {
			continue
		}
		total := e.phraseScore(phrase)
		for i, term := range terms {
			s := e.score(term)
			if alias[i] != nil {
				s = max(s, alias[i].score(e.name))
			}
			if s == 0 {
				total = 0
				break
			}
			total += s
		}
		if total > 0 {
			if e.typ.Kind == KindResource {
				total++
			}
			out = append(out, Match{Type: e.typ, Score: total})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func (e *searchEntry) phraseScore(phrase string) int {
	switch {
	case !strings.Contains(phrase, "_"):
		return 0
	case e.name == phrase || e.short == phrase:
		return 200
	case strings.HasPrefix(e.short, phrase):
		return 100 - min(len(e.short)-len(phrase), 30)
	}
	return 0
}

func (e *searchEntry) score(term string) int {
	provider := e.typ.Provider.Name
	switch {
	case e.name == term || e.short == term:
		return 100
	case strings.HasPrefix(e.short, term):
		return 60 - min(len(e.short)-len(term), 30)/3 // shorter names rank closer to the query
	case len(term) > len(provider)+1 && strings.HasPrefix(e.name, term):
		return 60 - min(len(e.name)-len(term), 30)/3
	case term == provider:
		return 15 // every type of the provider matches; the other words decide
	}
	for _, w := range e.words {
		if strings.HasPrefix(w, term) {
			return 40 - min(len(e.short), 40)/4
		}
	}
	switch {
	case len(term) >= 2 && len(e.words) >= 2 && term == e.initials:
		return 30
	case strings.Contains(e.name, term):
		return 20
	case e.subcategory != "" && strings.Contains(e.subcategory, term):
		return 10
	case e.title != "" && strings.Contains(e.title, term):
		return 5
	}
	return 0
}
