// Checking values against the rules the catalog mined from the provider's docs.

package blueprint

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// DocsDetailPrefix starts the detail of every diagnostic a rule of the docs makes: the
// detail quotes the sentence the rule came from.
const DocsDetailPrefix = "The docs: "

// maxListedValues bounds the allowed values a summary names; the detail quotes them all.
const maxListedValues = 12

// checkRules checks a resource's config against the rules of its type's docs. Only literal
// values are checked, after Terraform's conversions between strings, numbers and bools: a
// reference, a function call, a variable, an interpolation or a conditional is known only
// at plan, and never flagged. Dynamic blocks are not looked into.
//
// A value outside an enumeration, a range, a length or the allowed characters is an error:
// the provider's own validation refuses it, and the rule was kept only because its sentence
// states it whole. An enumeration the docs mark as partial ("Possible values include") is
// not checked. A value that differs from an allowed one only in case is not flagged: most of
// azurerm's checks compare exactly, but some ignore case (the docs' own examples write
// log analytics' "PerGB2018" as "pergb2018"), and the docs do not say which.
//
// Rules between arguments are checked in each block instance, when every path they name is
// in that block: "conflicts with" is an error, since those sentences mirror the schema's own
// ConflictsWith (an argument set to false, "" or [] does not conflict: the provider's own
// examples write a bool as false beside its rival); "exactly one of", "at least one of" and "required when" are warnings, since
// the docs word them loosely ("one of ... must be specified" for blocks that may also come
// from elsewhere) and a dynamic block, which is not looked into, may set what they ask for.
// "Required when" is not checked for an argument the docs give a default, nor "one of" when
// one of them has a default: the provider then fills it in (cosmosdb's max_interval_in_seconds "Defaults to `5`. Required when
// `consistency_level` is set to `BoundedStaleness`").
func (v *validator) checkRules(path string, body Body, typ *catalog.Type) {
	if typ == nil || typ.Doc == nil || len(typ.Doc.Rules) == 0 || typ.Schema == nil || typ.Schema.Block == nil {
		return
	}
	v.checkRulesIn(path, "", body, typ.Schema.Block, typ)
}

func (v *validator) checkRulesIn(path, schemaPath string, body Body, schema *tfjson.SchemaBlock, typ *catalog.Type) {
	for _, a := range body.Attributes {
		sa := schema.Attributes[a.Name]
		if sa == nil || sa.AttributeNestedType != nil {
			continue
		}
		sp := joinSchemaPath(schemaPath, a.Name)
		if ot := objectListType(sa.AttributeType); ot != cty.NilType {
			switch a.Value.Kind {
			case ListKind:
				for i, item := range a.Value.List {
					v.checkRulesInObject(fmt.Sprintf("%s.%s[%d]", path, a.Name, i), sp, item, ot, typ)
				}
			case LiteralKind:
				v.checkRulesInObjectLiteral(path+"."+a.Name, sp, a.Value.Literal, ot, typ)
			}
			continue
		}
		if !ruleShapeFits(sa.AttributeType, a.Value) {
			continue // a list for a string, a string for a list: validation's type error says so
		}
		for _, r := range typ.Rules(sp) {
			v.checkValueRule(path+"."+a.Name, a.Name, a.Value, r)
		}
	}
	v.checkCrossRules(path, schemaPath, body, schema, typ)
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		bpath := fmt.Sprintf("%s.%s[%d]", path, blk.Type, counts[blk.Type])
		counts[blk.Type]++
		sp := joinSchemaPath(schemaPath, blk.Type)
		if nb := schema.NestedBlocks[blk.Type]; nb != nil && nb.Block != nil {
			v.checkRulesIn(bpath, sp, blk.Body, nb.Block, typ)
		} else if sa := schema.Attributes[blk.Type]; sa != nil && sa.AttributeNestedType == nil && objectListType(sa.AttributeType) != cty.NilType {
			v.checkRulesInObjectBlock(bpath, sp, blk.Body, objectListType(sa.AttributeType), typ)
		}
	}
}

// ruleShapeFits reports whether a value has the shape of its attribute's type, so that a
// rule checks what the provider would: the elements of a list for a list of strings, one
// value for a string. A value of the wrong shape is a type error already, and its elements
// are not what the rule speaks of.
func ruleShapeFits(ty cty.Type, val Value) bool {
	collection := ty.IsListType() || ty.IsSetType() || ty.IsTupleType()
	switch val.Kind {
	case ListKind:
		return collection
	case LiteralKind:
		if val.Literal.IsNull() || !val.Literal.IsKnown() {
			return true
		}
		t := val.Literal.Type()
		return (t.IsTupleType() || t.IsListType() || t.IsSetType()) == collection
	}
	return true
}

// checkRulesInObjectBlock checks a block written for a list-of-objects attribute ("attributes
// as blocks", azurerm's security_rule): its arguments against the rules of the object's
// attributes. Rules between arguments are not checked there.
func (v *validator) checkRulesInObjectBlock(path, schemaPath string, body Body, ot cty.Type, typ *catalog.Type) {
	for _, a := range body.Attributes {
		if !ot.HasAttribute(a.Name) {
			continue
		}
		for _, r := range typ.Rules(joinSchemaPath(schemaPath, a.Name)) {
			v.checkValueRule(path+"."+a.Name, a.Name, a.Value, r)
		}
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		bpath := fmt.Sprintf("%s.%s[%d]", path, blk.Type, counts[blk.Type])
		counts[blk.Type]++
		if ot.HasAttribute(blk.Type) {
			if inner := objectListType(ot.AttributeType(blk.Type)); inner != cty.NilType {
				v.checkRulesInObjectBlock(bpath, joinSchemaPath(schemaPath, blk.Type), blk.Body, inner, typ)
			}
		}
	}
}

// checkRulesInObject checks one object of a list-of-objects attribute written as a value
// (security_rule = [{ ... }]), with checkAttrValue's paths: security_rule[0]["access"].
func (v *validator) checkRulesInObject(path, schemaPath string, val Value, ot cty.Type, typ *catalog.Type) {
	if val.Kind != MapKind {
		return
	}
	for _, k := range val.SortedKeys() {
		if !ot.HasAttribute(k) {
			continue
		}
		for _, r := range typ.Rules(joinSchemaPath(schemaPath, k)) {
			v.checkValueRule(fmt.Sprintf("%s[%q]", path, k), k, val.Map[k], r)
		}
	}
}

func joinSchemaPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// checkValueRule checks one argument's value, or each element of a list of them.
func (v *validator) checkValueRule(path, name string, val Value, r catalog.Rule) {
	switch val.Kind {
	case ListKind:
		for i, item := range val.List {
			v.checkValueRule(fmt.Sprintf("%s[%d]", path, i), name, item, r)
		}
	case LiteralKind:
		lit := val.Literal
		if lit.IsNull() || !lit.IsKnown() {
			return
		}
		t := lit.Type()
		if t.IsTupleType() || t.IsListType() || t.IsSetType() {
			i := 0
			for it := lit.ElementIterator(); it.Next(); i++ {
				_, e := it.Element()
				v.checkScalarRule(fmt.Sprintf("%s[%d]", path, i), name, e, r)
			}
			return
		}
		v.checkScalarRule(path, name, lit, r)
	}
}

// checkScalarRule checks one primitive literal against a value rule.
func (v *validator) checkScalarRule(path, name string, lit cty.Value, r catalog.Rule) {
	if lit.IsNull() || !lit.IsKnown() || !lit.Type().IsPrimitiveType() {
		return
	}
	detail := DocsDetailPrefix + quoteSentence(r.Sentence)
	s := literalText(lit)
	if strings.Contains(s, "${") || strings.Contains(s, "%{") {
		return
	}
	switch r.Kind {
	case catalog.RuleEnum:
		if r.Partial || len(r.Values) == 0 || slices.Contains(r.Values, s) || numberIn(s, r.Values) {
			return
		}
		if slices.ContainsFunc(r.Values, func(a string) bool { return strings.EqualFold(a, s) }) {
			return // see checkRules: the provider may ignore case here
		}
		v.d.errorf(path, fmt.Sprintf("%s: %q is not one of %s", name, s, listValues(r.Values)), "%s", detail)
	case catalog.RuleRange:
		n, ok := literalNumber(lit)
		if !ok {
			return
		}
		if r.Min != nil && n.Cmp(big.NewFloat(*r.Min)) < 0 || r.Max != nil && n.Cmp(big.NewFloat(*r.Max)) > 0 {
			v.d.errorf(path, fmt.Sprintf("%s: %s is %s", name, n.Text('f', -1), boundsText(r.Min, r.Max)), "%s", detail)
		}
	case catalog.RuleLength:
		if lit.Type() != cty.String {
			return
		}
		n := float64(utf8.RuneCountInString(s))
		if r.Min != nil && n < *r.Min || r.Max != nil && n > *r.Max {
			v.d.errorf(path, fmt.Sprintf("%s: %q is %d characters long; the docs allow %s", name, s, int(n), allowText(r.Min, r.Max)), "%s", detail)
		}
	case catalog.RulePattern:
		re := rulePattern(r.Pattern)
		if re == nil || lit.Type() != cty.String || re.MatchString(s) {
			return
		}
		v.d.errorf(path, fmt.Sprintf("%s: %q has characters the docs do not allow there", name, s), "%s", detail)
	case catalog.RuleCase:
		if lit.Type() != cty.String || len(r.Values) == 0 {
			return
		}
		if r.Values[0] == "lower" && s != strings.ToLower(s) || r.Values[0] == "upper" && s != strings.ToUpper(s) {
			v.d.errorf(path, fmt.Sprintf("%s: %q must be %s case", name, s, r.Values[0]), "%s", detail)
		}
	}
}

// literalText is a primitive literal as Terraform converts it to a string.
func literalText(lit cty.Value) string {
	switch lit.Type() {
	case cty.String:
		return lit.AsString()
	case cty.Number:
		return lit.AsBigFloat().Text('f', -1)
	case cty.Bool:
		if lit.True() {
			return "true"
		}
		return "false"
	}
	return ""
}

// literalNumber is a primitive literal as Terraform converts it to a number ("30" is 30).
func literalNumber(lit cty.Value) (*big.Float, bool) {
	switch lit.Type() {
	case cty.Number:
		return lit.AsBigFloat(), true
	case cty.String:
		f, _, err := big.ParseFloat(strings.TrimSpace(lit.AsString()), 10, 512, big.ToNearestEven)
		return f, err == nil
	}
	return nil, false
}

// numberIn reports whether s is numerically one of values ("1.0" and "1").
func numberIn(s string, values []string) bool {
	n, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil {
		return false
	}
	for _, a := range values {
		if m, _, err := big.ParseFloat(a, 10, 512, big.ToNearestEven); err == nil && m.Cmp(n) == 0 {
			return true
		}
	}
	return false
}

func listValues(values []string) string {
	if len(values) > maxListedValues {
		return strings.Join(values[:maxListedValues], ", ") + fmt.Sprintf(" … (%d values)", len(values))
	}
	return strings.Join(values, ", ")
}

func boundsText(lo, hi *float64) string {
	f := func(x float64) string { return big.NewFloat(x).Text('f', -1) }
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("not between %s and %s", f(*lo), f(*hi))
	case lo != nil:
		return fmt.Sprintf("less than %s", f(*lo))
	case hi != nil:
		return fmt.Sprintf("more than %s", f(*hi))
	}
	return "out of range"
}

func allowText(lo, hi *float64) string {
	f := func(x float64) string { return big.NewFloat(x).Text('f', -1) }
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("%s to %s characters", f(*lo), f(*hi))
	case lo != nil:
		return fmt.Sprintf("at least %s characters", f(*lo))
	case hi != nil:
		return fmt.Sprintf("at most %s characters", f(*hi))
	}
	return "any length"
}

func quoteSentence(s string) string { return "\u201c" + s + "\u201d" }

// rulePatterns caches the catalog's patterns, compiled once per process.
var rulePatterns sync.Map

func rulePattern(p string) *regexp.Regexp {
	if re, ok := rulePatterns.Load(p); ok {
		return re.(*regexp.Regexp)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		re = nil
	}
	rulePatterns.Store(p, re)
	return re
}

// checkRulesInObjectLiteral is checkRulesInObject for a list of objects given as one literal.
func (v *validator) checkRulesInObjectLiteral(path, schemaPath string, lit cty.Value, ot cty.Type, typ *catalog.Type) {
	t := lit.Type()
	if lit.IsNull() || !lit.IsKnown() || !(t.IsTupleType() || t.IsListType() || t.IsSetType()) {
		return
	}
	i := 0
	for it := lit.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		if e.IsNull() || !e.IsKnown() || !(e.Type().IsObjectType() || e.Type().IsMapType()) {
			continue
		}
		for k := range e.Type().AttributeTypes() {
			if !ot.HasAttribute(k) {
				continue
			}
			for _, r := range typ.Rules(joinSchemaPath(schemaPath, k)) {
				v.checkValueRule(fmt.Sprintf("%s[%d][%q]", path, i, k), k, Value{Kind: LiteralKind, Literal: e.GetAttr(k)}, r)
			}
		}
	}
}
