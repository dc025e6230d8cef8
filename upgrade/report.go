package upgrade

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
)

// What says what a held item is.
type What string

const (
	WhatResource   What = "resource"    // a resource of a type the provider no longer has
	WhatDataSource What = "data source" // a data source the provider no longer has
	WhatArgument   What = "argument"    // an argument the schema no longer has
	WhatBlock      What = "block"       // a nested block the schema no longer has
	WhatReference  What = "reference"   // an argument, local or output that refers to a held item
	WhatRequired   What = "required"    // a resource that misses what the current schema requires
)

// Item is one part of the configuration held back from the blueprint, with why and, when
// an upgrade guide says, what replaces it.
type Item struct {
	What What `json:"what"`
	// Address is the block it belongs to: azurerm_kubernetes_cluster.aks, data.x.y,
	// output.name, local.name, provider.azurerm.
	Address string `json:"address"`
	// Path is the argument's or block's place in it, with block indexes:
	// default_node_pool[0].enable_auto_scaling; empty for a whole block.
	Path string `json:"path,omitempty"`
	File string `json:"file"`
	Line int    `json:"line"`
	// HCL is the held text as the configuration has it.
	HCL string `json:"hcl"`
	Why string `json:"why"`
	// Upgrade is the guide's entry about it; nil when no guide mentions it.
	Upgrade *catalog.Upgrade `json:"upgrade,omitempty"`
	// Related are the guide's entries about what the held block holds
	// (addon_profile.oms_agent, for addon_profile).
	Related []catalog.Upgrade `json:"related,omitempty"`
	// Replacements are what replaces it: the guide's entry's, or its related entries'.
	Replacements []string `json:"replacements,omitempty"`
	// Mechanical: ApplyRenames can rewrite it, to Replacements[0].
	Mechanical bool `json:"mechanical,omitempty"`
	// NotMechanical says why a renamed item cannot be rewritten alone here.
	NotMechanical string `json:"not_mechanical,omitempty"`
	// Suggested is, for a type the guides call retired without naming a replacement, the
	// successor Azure names (successors.go), and SuggestedWhy says so; never applied.
	Suggested    string `json:"suggested,omitempty"`
	SuggestedWhy string `json:"suggested_why,omitempty"`
}

// Name is the item as the configuration writes it: azurerm_x.y or azurerm_x.y.path.
func (it Item) Name() string {
	if it.Path == "" {
		return it.Address
	}
	return it.Address + "." + it.Path
}

// Old is what the item renames or replaces as the guides name it: the type, or its schema
// path in the type (default_node_pool.enable_auto_scaling).
func (it Item) Old() string {
	if it.Upgrade == nil {
		return it.Name()
	}
	if it.Upgrade.Path == "" {
		return it.Upgrade.Type
	}
	return it.Upgrade.Path
}

// Section is the guide and section the item's entry comes from, "4.0-upgrade-guide §
// azurerm_kubernetes_cluster"; empty without an entry.
func (it Item) Section() string {
	if it.Upgrade == nil {
		return ""
	}
	return it.Upgrade.Guide + " § " + it.Upgrade.Section
}

// GuideURL links the item's guide section on the public registry; empty without an entry.
func (it Item) GuideURL(provider *catalog.Provider) string {
	if it.Upgrade == nil || provider == nil {
		return ""
	}
	return fmt.Sprintf("https://registry.terraform.io/providers/%s/%s/%s/docs/guides/%s#%s",
		url.PathEscape(provider.Namespace), url.PathEscape(provider.Name), url.PathEscape(provider.Version),
		url.PathEscape(it.Upgrade.Guide), url.PathEscape(it.Upgrade.Anchor))
}

// Report is what an upgrade import held back.
type Report struct {
	Format int    `json:"format"`
	Items  []Item `json:"items,omitempty"`
}

// Mechanical counts the items ApplyRenames can rewrite.
func (r Report) Mechanical() int {
	n := 0
	for _, it := range r.Items {
		if it.Mechanical {
			n++
		}
	}
	return n
}

// WithReplacement counts the items a guide names a replacement for.
func (r Report) WithReplacement() int {
	n := 0
	for _, it := range r.Items {
		if len(it.Replacements) > 0 {
			n++
		}
	}
	return n
}

// Marshal encodes the report as the store keeps it.
func (r Report) Marshal() ([]byte, error) {
	r.Format = 1
	return json.Marshal(r)
}

// ParseReport decodes a report Marshal wrote.
func ParseReport(data []byte) (Report, error) {
	var r Report
	if err := json.Unmarshal(data, &r); err != nil {
		return Report{}, fmt.Errorf("reading upgrade report: %w", err)
	}
	if r.Format != 1 {
		return Report{}, fmt.Errorf("reading upgrade report: format %d is not supported (want 1)", r.Format)
	}
	return r, nil
}

// summary words an entry's change for an item's Why.
func summary(u *catalog.Upgrade) string {
	if u == nil {
		return ""
	}
	switch u.Change {
	case catalog.UpgradeRenamed:
		return fmt.Sprintf("the %s renames it to %s", guideName(u.Guide), u.Replacements[0])
	case catalog.UpgradeReplaced:
		return fmt.Sprintf("the %s replaces it with %s", guideName(u.Guide), strings.Join(u.Replacements, ", "))
	}
	return fmt.Sprintf("the %s removes it", guideName(u.Guide))
}

func guideName(slug string) string {
	return strings.ReplaceAll(slug, "-", " ")
}
