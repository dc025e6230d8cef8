package components

import "github.com/cloudoven/cloudoven/blueprint"

// Replacement is a resource a change replaces, as the promote preview and the version diff
// show it.
type Replacement struct {
	Address string
	Text    string // azurerm_kubernetes_cluster.aks will be replaced: dns_prefix changes
	Certain bool
	Changes []ReplacingChange
}

// ReplacingChange is one argument or block whose change replaces its resource, with the
// docs' sentence that says so.
type ReplacingChange struct {
	Path     string
	Sentence string
}

// NewReplacements is the view of blueprint.Replacements.
func NewReplacements(rs []blueprint.Replacement) []Replacement {
	out := make([]Replacement, 0, len(rs))
	for _, r := range rs {
		v := Replacement{Address: r.Address, Text: r.String(), Certain: r.Certain}
		for _, c := range r.Changes {
			v.Changes = append(v.Changes, ReplacingChange{Path: c.Path, Sentence: c.Sentence})
		}
		out = append(out, v)
	}
	return out
}
