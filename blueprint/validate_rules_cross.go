// Checking the rules between arguments that the catalog mined from the provider's docs.

package blueprint

import (
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// checkCrossRules checks conflicts_with, exactly_one_of, at_least_one_of and required_with
// in one block instance (severities: see checkRules). A rule is checked only when every path
// it names sits in this block, so "set" means written in this very block.
func (v *validator) checkCrossRules(path, schemaPath string, body Body, schema *tfjson.SchemaBlock, typ *catalog.Type) {
	names := make([]string, 0, len(schema.Attributes)+len(schema.NestedBlocks))
	for n := range schema.Attributes {
		names = append(names, n)
	}
	for n := range schema.NestedBlocks {
		names = append(names, n)
	}
	sort.Strings(names)
	set := func(p string) bool {
		name := p
		if schemaPath != "" {
			var ok bool
			if name, ok = strings.CutPrefix(p, schemaPath+"."); !ok {
				return false
			}
		}
		if strings.Contains(name, ".") {
			return false
		}
		if val := body.Attribute(name); val != nil {
			return !(val.Kind == LiteralKind && val.Literal.IsNull())
		}
		for _, b := range body.Blocks {
			if b.Type == name {
				return true
			}
		}
		return false
	}
	// given is set with a value other than false, "" or an empty list: the provider's own
	// examples set a conflicting bool to false beside its rival.
	given := func(p string) bool {
		if !set(p) {
			return false
		}
		val := body.Attribute(lastSchemaName(p))
		if val == nil || val.Kind != LiteralKind {
			return val == nil || val.Kind != ListKind || len(val.List) > 0
		}
		lit := val.Literal
		switch {
		case lit.Type() == cty.Bool:
			return lit.True()
		case lit.Type() == cty.String:
			return lit.AsString() != ""
		case lit.Type().IsTupleType() || lit.Type().IsListType() || lit.Type().IsSetType():
			return lit.LengthInt() > 0
		}
		return true
	}
	local := func(paths []string) bool {
		for _, p := range paths {
			if parentSchemaPath(p) != schemaPath {
				return false
			}
		}
		return true
	}
	seen := map[string]bool{}
	for _, n := range names {
		self := joinSchemaPath(schemaPath, n)
		for _, r := range typ.Rules(self) {
			if !local(r.Paths) {
				continue
			}
			detail := DocsDetailPrefix + quoteSentence(r.Sentence)
			switch r.Kind {
			case catalog.RuleConflictsWith:
				if !given(self) {
					continue
				}
				for _, o := range r.Paths {
					if given(o) {
						v.d.errorf(path+"."+n, fmt.Sprintf("%s conflicts with %s", n, lastSchemaName(o)), "%s Set only one of them.", detail)
					}
				}
			case catalog.RuleExactlyOneOf, catalog.RuleAtLeastOneOf:
				key := string(r.Kind) + strings.Join(sortedCopy(r.Paths), ",")
				if seen[key] {
					continue
				}
				seen[key] = true
				var present, nonZero []string
				defaulted := false
				for _, p := range r.Paths {
					if set(p) {
						present = append(present, lastSchemaName(p))
					}
					if given(p) {
						nonZero = append(nonZero, lastSchemaName(p))
					}
					defaulted = defaulted || len(typ.RulesOf(p, catalog.RuleDefault)) > 0
				}
				if len(present) == 0 && defaulted {
					continue // the provider fills one in
				}
				all := lastSchemaNames(r.Paths)
				switch {
				case len(present) == 0 && r.Kind == catalog.RuleExactlyOneOf:
					v.d.warnf(path, fmt.Sprintf("one of %s must be set", strings.Join(all, ", ")), "%s", detail)
				case len(present) == 0:
					v.d.warnf(path, fmt.Sprintf("at least one of %s must be set", strings.Join(all, ", ")), "%s", detail)
				case len(nonZero) > 1 && r.Kind == catalog.RuleExactlyOneOf:
					v.d.warnf(path+"."+nonZero[1], fmt.Sprintf("only one of %s may be set", strings.Join(nonZero, ", ")), "%s", detail)
				}
			case catalog.RuleRequiredWith:
				if set(self) || len(r.Paths) != 1 || !set(r.Paths[0]) || len(typ.RulesOf(self, catalog.RuleDefault)) > 0 {
					continue
				}
				other := lastSchemaName(r.Paths[0])
				cond := other + " is set"
				if len(r.Values) > 0 {
					val := body.Attribute(other)
					if val == nil || val.Kind != LiteralKind || !val.Literal.Type().IsPrimitiveType() {
						continue // a block, or a value known only at plan
					}
					got := other + " = " + literalText(val.Literal)
					matched := false
					for _, c := range r.Values {
						matched = matched || c == got
					}
					if !matched {
						continue
					}
					cond = got
				}
				v.d.warnf(path+"."+n, fmt.Sprintf("%s is required when %s", n, cond), "%s", detail)
			}
		}
	}
}

func parentSchemaPath(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

func lastSchemaName(p string) string { return p[strings.LastIndexByte(p, '.')+1:] }

func lastSchemaNames(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = lastSchemaName(p)
	}
	return out
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
