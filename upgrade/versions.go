package upgrade

import (
	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/catalog"
)

// olderProviders names the catalog providers whose version constraint in the
// configuration's required_providers the catalog's version does not satisfy ("=2.99.0",
// "~> 2.0" against 5.2.0): the configuration was written for an older version.
func olderProviders(cat *catalog.Catalog, files []*file) map[string]bool {
	out := map[string]bool{}
	for _, f := range files {
		for _, tb := range f.syn.Blocks {
			if tb.Type != "terraform" {
				continue
			}
			for _, rp := range tb.Body.Blocks {
				if rp.Type != "required_providers" {
					continue
				}
				for name, attr := range rp.Body.Attributes {
					source, constraint := providerRequirement(name, attr.Expr)
					p := cat.Provider(source)
					if p == nil || constraint == "" {
						continue
					}
					c, err := goversion.NewConstraint(constraint)
					v, verr := goversion.NewVersion(p.Version)
					if err == nil && verr == nil && !c.Check(v) {
						out[p.Name] = true
					}
				}
			}
		}
	}
	return out
}

// providerRequirement reads one required_providers entry: { source = "...", version = "..." },
// or a bare version string as older configurations wrote it.
func providerRequirement(name string, expr hclsyntax.Expression) (source, constraint string) {
	source = "hashicorp/" + name
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return source, ""
	}
	if v.Type().IsPrimitiveType() && v.Type().FriendlyName() == "string" {
		return source, v.AsString()
	}
	if !v.Type().IsObjectType() {
		return source, ""
	}
	if v.Type().HasAttribute("source") {
		if s := v.GetAttr("source"); s.IsKnown() && !s.IsNull() && s.Type().FriendlyName() == "string" {
			source = s.AsString()
		}
	}
	if v.Type().HasAttribute("version") {
		if s := v.GetAttr("version"); s.IsKnown() && !s.IsNull() && s.Type().FriendlyName() == "string" {
			constraint = s.AsString()
		}
	}
	return source, constraint
}
