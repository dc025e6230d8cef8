package blueprint

import (
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/cloudoven/cloudoven/catalog"
)

// Replacement is a managed resource that going from one blueprint to another replaces: an
// argument or block the provider's docs say forces a new resource changes.
type Replacement struct {
	// Address is the resource's: azurerm_kubernetes_cluster.aks.
	Address string
	// Certain says some change is between values known now (literals, or set and unset), so
	// the resource will be replaced; false when every change involves a reference or an
	// expression, whose value only a plan knows: it may be.
	Certain bool
	// Changes are the arguments and blocks whose change replaces the resource, by path.
	Changes []ReplacingChange
}

// ReplacingChange is one argument or block whose change replaces its resource.
type ReplacingChange struct {
	// Path is where it is in the resource's body, as diagnostics write it:
	// default_node_pool[0].vm_size.
	Path string
	// Certain says both sides are known now (see Replacement.Certain).
	Certain bool
	// Sentence is the docs' sentence that says the change forces a new resource.
	Sentence string
}

// String says it the way the promote preview does: "azurerm_kubernetes_cluster.aks will be
// replaced: dns_prefix changes".
func (r Replacement) String() string {
	paths := make([]string, len(r.Changes))
	for i, c := range r.Changes {
		paths[i] = c.Path
	}
	verb, changes := "will", "changes"
	if !r.Certain {
		verb = "may"
	}
	if len(paths) > 1 {
		changes = "change"
	}
	return fmt.Sprintf("%s %s be replaced: %s %s", r.Address, verb, strings.Join(paths, ", "), changes)
}

// Replacements lists the managed resources that going from old to new replaces, in new's
// order: each resource at the same address in both whose changed arguments or blocks have
// a forces_new rule in the catalog's docs (catalog.Type.RulesOf). It compares the two
// blueprints' values, not their text: the same value written differently is no change,
// and leaving out an argument the provider computes keeps what the resource has. Resources
// added, removed or renamed are created or destroyed, not replaced, and are not listed.
func Replacements(old, new *Blueprint, cat *catalog.Catalog) []Replacement {
	if old == nil || new == nil || cat == nil {
		return nil
	}
	var out []Replacement
	for _, r := range new.Resources {
		prev := old.Resource(r.Address())
		if prev == nil || prev.Type != r.Type {
			continue
		}
		typ := cat.Lookup(catalog.KindResource, r.Type)
		if typ == nil || typ.Schema == nil {
			continue
		}
		var changes []ReplacingChange
		compareBodies(typ, typ.Schema.Block, prev.Config, r.Config, "", "", &changes)
		if len(changes) == 0 {
			continue
		}
		sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
		rep := Replacement{Address: r.Address(), Changes: changes}
		for _, c := range changes {
			rep.Certain = rep.Certain || c.Certain
		}
		out = append(out, rep)
	}
	return out
}

// compareBodies adds to out each argument or block of schema, at key in the body and
// schemaPath in the docs, that differs between a and b and forces a new resource.
func compareBodies(typ *catalog.Type, schema *tfjson.SchemaBlock, a, b Body, key, schemaPath string, out *[]ReplacingChange) {
	if schema == nil {
		return
	}
	for name, attr := range schema.Attributes {
		rules := typ.RulesOf(joinPath(schemaPath, name), catalog.RuleForcesNew)
		if len(rules) == 0 || attr == nil {
			continue
		}
		def := ""
		if d := typ.RulesOf(joinPath(schemaPath, name), catalog.RuleDefault); len(d) > 0 {
			def = d[0].Default
		}
		if changed, certain := valueChanged(a.Attribute(name), b.Attribute(name), attr.Computed, def); changed {
			*out = append(*out, ReplacingChange{Path: joinPath(key, name), Certain: certain, Sentence: rules[0].Sentence})
		}
	}
	for name, bt := range schema.NestedBlocks {
		if bt == nil {
			continue
		}
		as, bs := a.BlocksOf(name), b.BlocksOf(name)
		if rules := typ.RulesOf(joinPath(schemaPath, name), catalog.RuleForcesNew); len(rules) > 0 {
			if changed, certain := blocksChanged(as, bs); changed {
				*out = append(*out, ReplacingChange{Path: joinPath(key, name), Certain: certain, Sentence: rules[0].Sentence})
			}
			continue
		}
		for i := range max(len(as), len(bs)) {
			var ab, bb Body
			if i < len(as) {
				ab = as[i].Body
			}
			if i < len(bs) {
				bb = bs[i].Body
			}
			compareBodies(typ, bt.Block, ab, bb, fmt.Sprintf("%s[%d]", joinPath(key, name), i), joinPath(schemaPath, name), out)
		}
	}
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// valueChanged compares an argument's values on both sides (nil: unset). An unset argument
// the provider computes keeps the resource's value when it is left out, and one the docs
// give a default has that default. certain is false when a side is a reference or an
// expression, or is a computed argument set for the first time (the resource's value is
// not in the blueprint).
func valueChanged(a, b *Value, computed bool, def string) (changed, certain bool) {
	unsetA, unsetB := a == nil || a.IsZero(), b == nil || b.IsZero()
	switch {
	case unsetA && unsetB:
		return false, true
	case unsetB && computed:
		return false, true
	case unsetA && computed:
		return true, false
	case unsetA || unsetB:
		set := a
		if unsetA {
			set = b
		}
		if def != "" && known(*set) && defaultText(*set) == def {
			return false, true
		}
		return true, known(*set)
	}
	if !known(*a) || !known(*b) {
		fa, errA := FormatValue(*a)
		fb, errB := FormatValue(*b)
		return errA != nil || errB != nil || fa != fb, false
	}
	return !sameLiteral(*a, *b), true
}

// blocksChanged compares the instances of a block type that forces a new resource.
func blocksChanged(as, bs []Block) (changed, certain bool) {
	certain = true
	if len(as) != len(bs) {
		return true, true
	}
	for i := range as {
		if c, k := bodyChanged(as[i].Body, bs[i].Body); c {
			changed = true
			certain = certain && k
		}
	}
	return changed, certain
}

// bodyChanged compares two block bodies argument by argument and block by block.
func bodyChanged(a, b Body) (changed, certain bool) {
	certain = true
	names := map[string]bool{}
	for _, at := range a.Attributes {
		names[at.Name] = true
	}
	for _, at := range b.Attributes {
		names[at.Name] = true
	}
	for n := range names {
		if c, k := valueChanged(a.Attribute(n), b.Attribute(n), false, ""); c {
			changed, certain = true, certain && k
		}
	}
	types := map[string]bool{}
	for _, blk := range append(append([]Block(nil), a.Blocks...), b.Blocks...) {
		types[blk.Type] = true
	}
	for t := range types {
		if c, k := blocksChanged(a.BlocksOf(t), b.BlocksOf(t)); c {
			changed, certain = true, certain && k
		}
	}
	return changed, certain
}

// known reports whether a value is known without a plan: a literal, or a list or map of
// them.
func known(v Value) bool {
	switch v.Kind {
	case LiteralKind:
		return true
	case ListKind:
		for _, x := range v.List {
			if !known(x) {
				return false
			}
		}
		return true
	case MapKind:
		for _, x := range v.Map {
			if !known(x) {
				return false
			}
		}
		return true
	}
	return false
}

// sameLiteral compares two known values as Terraform would after converting them to the
// argument's type: "3" and 3 are the same value.
func sameLiteral(a, b Value) bool {
	if a.Kind == LiteralKind && b.Kind == LiteralKind {
		x, y := a.Literal, b.Literal
		if !x.Type().Equals(y.Type()) && x.Type().IsPrimitiveType() && y.Type().IsPrimitiveType() {
			if cy, err := convert.Convert(y, x.Type()); err == nil {
				y = cy
			}
		}
		if x.IsKnown() && y.IsKnown() && x.Type().Equals(y.Type()) {
			if eq := x.Equals(y); eq.IsKnown() {
				return eq.True()
			}
		}
	}
	fa, errA := FormatValue(a)
	fb, errB := FormatValue(b)
	return errA == nil && errB == nil && fa == fb
}

// defaultText is a primitive literal as the docs write a default: Free, 30, true.
func defaultText(v Value) string {
	if v.Kind != LiteralKind || v.Literal.IsNull() || !v.Literal.IsKnown() {
		return ""
	}
	return literalText(v.Literal)
}
