package blueprint

import (
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

func kindOf(r *Resource) catalog.Kind {
	if r.Mode == DataMode {
		return catalog.KindDataSource
	}
	return catalog.KindResource
}

func (v *validator) checkResource(r *Resource) {
	if v.resources[r.Address()] != r {
		return // invalid or duplicate name, already reported
	}
	path := resourcePath(r)

	localName := typePrefix(r.Type)
	if r.Provider != "" {
		name, alias, _ := strings.Cut(r.Provider, ".")
		switch {
		case !validIdentifier(name) || alias != "" && !validIdentifier(alias):
			v.d.errorf(path+".provider", fmt.Sprintf("invalid provider reference %q", r.Provider), "write NAME or NAME.ALIAS, e.g. azurerm.secondary")
		case !v.providers[r.Provider] && alias != "":
			v.d.errorf(path+".provider", fmt.Sprintf("no provider configuration %s", r.Provider), "add a providers entry with name %q and alias %q", name, alias)
		}
		localName = name
	}
	p := v.providerFor(localName, path+".type", true)
	var typ *catalog.Type
	if p != nil {
		typ = v.cat.Lookup(kindOf(r), r.Type)
		if typ == nil || typ.Provider != p {
			what := "resource type"
			if r.Mode == DataMode {
				what = "data source"
			}
			v.d.errorf(path+".type", fmt.Sprintf("unknown %s %q", what, r.Type), "%s %s has no %s of that name.%s", p.Source, p.Version, what, typeHint(p, kindOf(r), r.Type, v.typeNames(kindOf(r), p)))
			typ = nil
		}
	}

	if r.Count != nil && r.ForEach != nil {
		v.d.errorf(path+".for_each", "count and for_each together", "a resource repeats by count or by for_each, not both; remove one")
	}
	if r.Count != nil {
		v.checkValueRefs(path+".count", *r.Count, r)
		if r.Count.Kind == LiteralKind {
			v.checkLiteral(path+".count", r.Count.Literal, cty.Number)
		}
	}
	if r.ForEach != nil {
		v.checkValueRefs(path+".for_each", *r.ForEach, r)
		if r.ForEach.Kind == LiteralKind {
			lt := r.ForEach.Literal.Type()
			if !(lt.IsObjectType() || lt.IsMapType() || lt.IsTupleType() && allStrings(r.ForEach.Literal)) {
				v.d.errorf(path+".for_each", "for_each needs a map or a set of strings", "write a map, or wrap a list of strings in toset(...) as an expression")
			} else if lt.IsTupleType() {
				v.d.errorf(path+".for_each", "for_each needs a map or a set of strings, not a list", "write it as an expression: toset([...])")
			}
		}
	}
	v.checkDependsOn(path+".depends_on", r.DependsOn)
	if lc := r.Lifecycle; lc != nil {
		for i, ic := range lc.IgnoreChanges {
			ipath := fmt.Sprintf("%s.lifecycle.ignore_changes[%d]", path, i)
			if ic == "all" {
				if len(lc.IgnoreChanges) > 1 {
					v.d.errorf(ipath, "\"all\" stands alone", "ignore_changes is either \"all\" or a list of attributes")
				}
				continue
			}
			t, err := parseRef(ic)
			if err != nil {
				v.d.errorf(ipath, "invalid attribute path", "%s", err)
				continue
			}
			if typ != nil && !hasAttrOrBlock(typ.Schema.Block, stepName(t[0])) {
				v.d.errorf(ipath, fmt.Sprintf("%s has no argument %q", r.Type, stepName(t[0])), "list arguments of this resource.%s", didYouMean(stepName(t[0]), argNames(typ.Schema.Block)))
			}
		}
		for i, ref := range lc.ReplaceTriggeredBy {
			v.checkValueRefs(fmt.Sprintf("%s.lifecycle.replace_triggered_by[%d]", path, i), Ref(ref), r)
		}
	}
	v.checkBodyRefs(path, r.Config, r)
	if typ != nil {
		v.checkBody(path, r.Config, typ.Schema.Block)
		v.checkRules(path, r.Config, typ)
	} else {
		v.checkMetaInConfig(path, r.Config)
	}
}

// checkMetaInConfig reports meta-arguments written into the config of a resource whose
// schema the catalog does not have, as checkBody does for one it has. A provisioner in
// particular is refused whatever the provider: a blueprint's blocks carry no labels, so one
// could never name its type, and a provisioner runs a program on the runner.
func (v *validator) checkMetaInConfig(path string, config Body) {
	for _, a := range config.Attributes {
		if isMeta(a.Name) {
			v.d.errorf(path+"."+a.Name, fmt.Sprintf("%q is a meta-argument, not part of config", a.Name), "set it on the resource itself (its %q field)%s", a.Name, unsupportedMeta(a.Name))
		}
	}
	counts := map[string]int{}
	for _, blk := range config.Blocks {
		bpath := fmt.Sprintf("%s.%s[%d]", path, blk.Type, counts[blk.Type])
		counts[blk.Type]++
		if isMeta(blk.Type) {
			v.d.errorf(bpath, fmt.Sprintf("%q is a meta-argument, not part of config", blk.Type), "set it on the resource itself (its %q field)%s", blk.Type, unsupportedMeta(blk.Type))
		}
	}
}

func allStrings(v cty.Value) bool {
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.Type() != cty.String {
			return false
		}
	}
	return true
}

func (v *validator) typeNames(kind catalog.Kind, p *catalog.Provider) []string {
	m := p.Schema.ResourceSchemas
	if kind == catalog.KindDataSource {
		m = p.Schema.DataSourceSchemas
	}
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	return out
}
