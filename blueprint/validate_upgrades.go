package blueprint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
)

// upgradePath splits a validation path into its resource's kind and type and the schema
// path inside it: resources[azurerm_x.y].default_node_pool[0].enable_auto_scaling →
// resource, azurerm_x, default_node_pool.enable_auto_scaling.
var upgradePath = regexp.MustCompile(`^(resources|data)\[([^\].]+)\.[^\]]+\]\.(.+)$`)

var pathIndex = regexp.MustCompile(`\[\d+\]`)

// guideRename is what the provider's upgrade guides renamed an argument or block at path to,
// when it is one name of the same block that the schema has ("log" → "enabled_log"), with
// the guide; "" when the guides say nothing of it.
func (v *validator) guideRename(path string, candidates []string) (string, string) {
	m := upgradePath.FindStringSubmatch(pathIndex.ReplaceAllString(path, ""))
	if m == nil || v.cat == nil {
		return "", ""
	}
	kind := catalog.KindResource
	if m[1] == "data" {
		kind = catalog.KindDataSource
	}
	t := v.cat.Lookup(kind, m[2])
	if t == nil {
		return "", ""
	}
	for _, u := range t.Provider.UpgradesFor(kind, m[2], m[3]) {
		if len(u.Replacements) != 1 {
			continue
		}
		to := u.Replacements[0][strings.LastIndex(u.Replacements[0], ".")+1:]
		for _, c := range candidates {
			if c == to {
				return to, u.Guide
			}
		}
	}
	return "", ""
}

// unsupportedHint is the did-you-mean of an unsupported argument or block: the guides'
// rename when there is one, else the closest name. target is the name it points at.
func (v *validator) unsupportedHint(path, name string, candidates []string) (hint, target string) {
	if to, guide := v.guideRename(path, candidates); to != "" {
		return fmt.Sprintf(" Did you mean %q? The provider's %s renamed %s to %s.", to, strings.ReplaceAll(guide, "-", " "), name, to), to
	}
	return didYouMean(name, candidates), closest(name, candidates)
}

// typeHint is the hint of an unknown resource or data source type: what the provider's
// upgrade guides say replaced it, else the closest name.
func typeHint(p *catalog.Provider, kind catalog.Kind, typ string, candidates []string) string {
	for _, u := range p.UpgradesFor(kind, typ, "") {
		switch len(u.Replacements) {
		case 0:
			return fmt.Sprintf(" The provider's %s removed it: %s", strings.ReplaceAll(u.Guide, "-", " "), u.Sentence)
		case 1:
			return fmt.Sprintf(" Did you mean %q? The provider's %s replaced %s with it.", u.Replacements[0], strings.ReplaceAll(u.Guide, "-", " "), typ)
		default:
			return fmt.Sprintf(" The provider's %s replaced it with %s.", strings.ReplaceAll(u.Guide, "-", " "), strings.Join(u.Replacements, " or "))
		}
	}
	return didYouMean(typ, candidates)
}
