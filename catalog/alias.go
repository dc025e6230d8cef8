package catalog

import (
	_ "embed"
	"fmt"
	"strings"
)

// aliasTable is the curated list of what people type for a type (aks, vnet, nsg…): see
// the header of aliases.txt for where the abbreviations come from.
//
//go:embed aliases.txt
var aliasTable string

// aliases maps an alias to the type names it stands for, best first; a target ending in
// "_" stands for every type whose name starts with it. Read once from aliasTable.
var aliases = mustParseAliases(aliasTable)

// parseAliases reads the alias table: "#" starts a comment, every other non-blank line is
// an alias followed by at least one type name.
func parseAliases(table string) (map[string][]string, error) {
	out := map[string][]string{}
	for i, line := range strings.Split(table, "\n") {
		if c := strings.IndexByte(line, '#'); c >= 0 {
			line = line[:c]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		alias := strings.ToLower(f[0])
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: alias %q names no type", i+1, alias)
		}
		if _, dup := out[alias]; dup {
			return nil, fmt.Errorf("line %d: alias %q listed twice", i+1, alias)
		}
		out[alias] = f[1:]
	}
	return out, nil
}

// mustParseAliases panics on a malformed table: it is compiled in, and a test reads it.
func mustParseAliases(table string) map[string][]string {
	m, err := parseAliases(table)
	if err != nil {
		panic(fmt.Sprintf("catalog: aliases.txt: %v", err))
	}
	return m
}

// Aliases returns the types an alias stands for, best first, as aliases.txt lists them (a
// name ending in "_" stands for every type that starts with it); nil when the term is no
// alias.
func Aliases(term string) []string {
	return aliases[strings.ToLower(term)]
}

// aliasMatch is one query term's alias targets, ready to score types against.
type aliasMatch struct {
	exact    []string // the targets as listed
	prefixes []string // each target with one "_" at its end
}

// aliasFor is the term's alias targets; nil when the term is no alias.
func aliasFor(term string) *aliasMatch {
	targets := aliases[term]
	if len(targets) == 0 {
		return nil
	}
	m := &aliasMatch{exact: targets}
	for _, t := range targets {
		m.prefixes = append(m.prefixes, strings.TrimSuffix(t, "_")+"_")
	}
	return m
}

// score is how well the alias fits a type: the listed types rank above every ordinary
// match, in the table's order; types whose names extend a target
// (azurerm_kubernetes_cluster_node_pool for aks) rank with good prefix matches. 0: no fit.
func (m *aliasMatch) score(name string) int {
	for i, t := range m.exact {
		if name == t {
			return 150 - 5*min(i, 10)
		}
	}
	for i, p := range m.prefixes {
		if strings.HasPrefix(name, p) {
			return 50 - min(i, 10)
		}
	}
	return 0
}

// initials is the first letter of each word of a type's short name: nsg for
// network_security_group, law for log_analytics_workspace.
func initials(words []string) string {
	var b strings.Builder
	for _, w := range words {
		if w != "" {
			b.WriteByte(w[0])
		}
	}
	return b.String()
}
