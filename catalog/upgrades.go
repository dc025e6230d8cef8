package catalog

import (
	"strconv"
	"strings"
)

// UpgradeChange says what an upgrade guide says happened to a type, argument or block.
type UpgradeChange string

const (
	// UpgradeRemoved: gone, and the guide names nothing in its place.
	UpgradeRemoved UpgradeChange = "removed"
	// UpgradeRenamed: gone in favour of exactly one other name ("has been renamed to",
	// "removed in favour of the `x` property", "superseded by `azurerm_x`").
	UpgradeRenamed UpgradeChange = "renamed"
	// UpgradeReplaced: gone in favour of several others ("in favour of the `a` and `b`
	// properties and the `c` block").
	UpgradeReplaced UpgradeChange = "replaced"
)

// UpgradeTarget says what an Upgrade is about.
type UpgradeTarget string

const (
	UpgradeResource   UpgradeTarget = "resource"    // a resource type
	UpgradeDataSource UpgradeTarget = "data_source" // a data source type
	UpgradeArgument   UpgradeTarget = "argument"    // an argument of a type
	UpgradeBlock      UpgradeTarget = "block"       // a nested block of a type
)

// Upgrade is one entry of a provider's upgrade guides: a type, argument or block that an
// older provider version had and this one removed or renamed, with what replaces it when
// the guide says, and the guide's own sentence. The crawler mines them from the guides.
type Upgrade struct {
	Change UpgradeChange `json:"change"`
	Target UpgradeTarget `json:"target"`
	// Kind is the kind of Type: resource or data source.
	Kind Kind `json:"kind"`
	// Type is the type the entry is about (its old name, for a removed or renamed type).
	Type string `json:"type"`
	// Path is the argument's or block's schema path in Type, "default_node_pool.
	// enable_auto_scaling"; empty for a type.
	Path string `json:"path,omitempty"`
	// Replacements are what the guide names in its place: type names for a type, schema
	// paths of Type (or, rarely, other types) for an argument or block.
	Replacements []string `json:"replacements,omitempty"`
	// Mechanical marks a rename that rewriting the name alone can apply: one replacement,
	// of the same kind (type, argument or block) in the same place, that the current
	// schema has. Whether a given configuration fits the new schema is checked again when
	// it is applied.
	Mechanical bool `json:"mechanical,omitempty"`
	// Guide is the guide's file name without its extension ("4.0-upgrade-guide"), Section
	// the heading the sentence stands under and Anchor that heading's anchor in the guide.
	Guide    string `json:"guide"`
	Section  string `json:"section,omitempty"`
	Anchor   string `json:"anchor,omitempty"`
	Sentence string `json:"sentence"`
}

// Name is what the entry is about as a user writes it: the type, or type.path.
func (u Upgrade) Name() string {
	if u.Path == "" {
		return u.Type
	}
	return u.Type + "." + u.Path
}

// GuideVersion is the provider major version a guide is for ("4.0-upgrade-guide" → 4); 0
// for guides without one (migrating from deprecated resources).
func (u Upgrade) GuideVersion() float64 {
	v, _, _ := strings.Cut(u.Guide, "-")
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return f
}

// UpgradesFor lists the provider's upgrade entries about one type of a kind and one path
// in it ("" for the type itself), the newest guide first.
func (p *Provider) UpgradesFor(kind Kind, typ, path string) []Upgrade {
	if p == nil || p.Docs == nil {
		return nil
	}
	var out []Upgrade
	for _, u := range p.Docs.Upgrades {
		if u.Kind == kind && u.Type == typ && u.Path == path {
			out = append(out, u)
		}
	}
	// Newest guide first; stable within a guide, so the guide's own order holds.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].GuideVersion() > out[j-1].GuideVersion(); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ProviderOfType finds the catalog provider a type name belongs to by its prefix
// (azurerm_postgresql_server → azurerm), whether or not the catalog still has the type;
// nil when no provider of the catalog has that name.
func (c *Catalog) ProviderOfType(typ string) *Provider {
	name, _, _ := strings.Cut(typ, "_")
	for _, p := range c.providers {
		if p.Name == name {
			return p
		}
	}
	return nil
}
