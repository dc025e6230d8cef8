// Checking values and literals against the type an argument or variable takes.

package blueprint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// checkAttrValue checks the shape of a value against the attribute's type: literals as
// Terraform would (checkLiteral), lists and maps element by element.
func (v *validator) checkAttrValue(path string, val Value, ty cty.Type, required bool) {
	switch val.Kind {
	case LiteralKind:
		if val.Literal.IsNull() {
			if required {
				v.d.errorf(path, "a required argument cannot be null", "give it a value")
			}
			return
		}
		v.checkLiteral(path, val.Literal, ty)
	case ListKind:
		var elem cty.Type
		switch {
		case ty == cty.DynamicPseudoType:
			elem = cty.DynamicPseudoType
		case ty.IsListType() || ty.IsSetType():
			elem = ty.ElementType()
		case ty.IsTupleType():
			types := ty.TupleElementTypes()
			if len(types) != len(val.List) {
				v.d.errorf(path, fmt.Sprintf("expected %d items, got %d", len(types), len(val.List)), "give exactly %d items", len(types))
				return
			}
			for i, item := range val.List {
				v.checkAttrValue(fmt.Sprintf("%s[%d]", path, i), item, types[i], false)
			}
			return
		default:
			v.d.errorf(path, fmt.Sprintf("expected %s, got a list", friendly(ty)), "give one value, not a list")
			return
		}
		for i, item := range val.List {
			v.checkAttrValue(fmt.Sprintf("%s[%d]", path, i), item, elem, false)
		}
	case MapKind:
		switch {
		case ty == cty.DynamicPseudoType:
			for _, k := range val.SortedKeys() {
				v.checkAttrValue(fmt.Sprintf("%s[%q]", path, k), val.Map[k], cty.DynamicPseudoType, false)
			}
		case ty.IsMapType():
			for _, k := range val.SortedKeys() {
				v.checkAttrValue(fmt.Sprintf("%s[%q]", path, k), val.Map[k], ty.ElementType(), false)
			}
		case ty.IsObjectType():
			for _, k := range val.SortedKeys() {
				if !ty.HasAttribute(k) {
					v.d.errorf(fmt.Sprintf("%s[%q]", path, k), fmt.Sprintf("unexpected attribute %q", k), "this object has %s", strings.Join(objectAttrNames(ty), ", "))
					continue
				}
				v.checkAttrValue(fmt.Sprintf("%s[%q]", path, k), val.Map[k], ty.AttributeType(k), false)
			}
			for _, k := range objectAttrNames(ty) {
				if _, ok := val.Map[k]; !ok && !ty.AttributeOptional(k) {
					v.d.errorf(path, fmt.Sprintf("missing attribute %q", k), "add %s; this object requires %s", k, strings.Join(requiredAttrNames(ty), ", "))
				}
			}
		default:
			v.d.errorf(path, fmt.Sprintf("expected %s, got a map", friendly(ty)), "give one value of that type, not a map")
		}
	case ReferenceKind, ExpressionKind:
		// Checked for syntax and targets by checkValueRefs; the type is known only at plan.
	default:
		v.d.errorf(path, "missing value", "give a literal, a reference or an expression")
	}
}

func requiredAttrNames(ty cty.Type) []string {
	var names []string
	for _, n := range objectAttrNames(ty) {
		if !ty.AttributeOptional(n) {
			names = append(names, n)
		}
	}
	return names
}

func objectAttrNames(ty cty.Type) []string {
	var names []string
	for n := range ty.AttributeTypes() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkLiteral checks a literal against a type the way Terraform does: a string, a number
// and a bool convert to each other wherever Terraform converts them (cpu = "0.5" for a
// number, zones = [1] for a list of strings, enabled = "true"), so such a literal is never
// refused, only noted, and stays as written. What Terraform cannot convert ("abc" for a
// number, true for a number, a list for a string) is an error.
func (v *validator) checkLiteral(path string, lit cty.Value, ty cty.Type) {
	if lit.IsNull() || ty == cty.DynamicPseudoType {
		return
	}
	lt := lit.Type()
	fail := func() {
		v.d.errorf(path, fmt.Sprintf("expected %s, got %s", friendly(ty), describeLiteral(lit)), "%s", literalHint(ty))
	}
	switch {
	case ty.IsPrimitiveType():
		if lt.Equals(ty) {
			return
		}
		if !lt.IsPrimitiveType() {
			fail()
			return
		}
		conv, err := convert.Convert(lit, ty)
		if err != nil {
			fail()
			return
		}
		v.d.notef(path, fmt.Sprintf("Terraform reads %s as %s", describeLiteral(lit), describeLiteral(conv)),
			"valid Terraform, kept as written; the argument takes %s (%s)", friendly(ty), literalHint(ty))
	case ty.IsListType() || ty.IsSetType():
		if !(lt.IsTupleType() || lt.IsListType() || lt.IsSetType()) {
			fail()
			return
		}
		i := 0
		for it := lit.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			v.checkLiteral(fmt.Sprintf("%s[%d]", path, i), e, ty.ElementType())
		}
	case ty.IsTupleType():
		if !lt.IsTupleType() || lit.LengthInt() != len(ty.TupleElementTypes()) {
			fail()
			return
		}
		for i, et := range ty.TupleElementTypes() {
			v.checkLiteral(fmt.Sprintf("%s[%d]", path, i), lit.Index(cty.NumberIntVal(int64(i))), et)
		}
	case ty.IsMapType():
		if !(lt.IsObjectType() || lt.IsMapType()) {
			fail()
			return
		}
		for it := lit.ElementIterator(); it.Next(); {
			k, e := it.Element()
			v.checkLiteral(fmt.Sprintf("%s[%q]", path, k.AsString()), e, ty.ElementType())
		}
	case ty.IsObjectType():
		if !(lt.IsObjectType() || lt.IsMapType()) {
			fail()
			return
		}
		given := map[string]bool{}
		for it := lit.ElementIterator(); it.Next(); {
			k, e := it.Element()
			given[k.AsString()] = true
			if !ty.HasAttribute(k.AsString()) {
				v.d.errorf(fmt.Sprintf("%s[%q]", path, k.AsString()), fmt.Sprintf("unexpected attribute %q", k.AsString()), "this object has %s", strings.Join(objectAttrNames(ty), ", "))
				continue
			}
			v.checkLiteral(fmt.Sprintf("%s[%q]", path, k.AsString()), e, ty.AttributeType(k.AsString()))
		}
		for _, n := range objectAttrNames(ty) {
			if !given[n] && !ty.AttributeOptional(n) {
				v.d.errorf(path, fmt.Sprintf("missing attribute %q", n), "add %s; this object requires %s", n, strings.Join(requiredAttrNames(ty), ", "))
			}
		}
	default:
		if _, err := convert.Convert(lit, ty); err != nil {
			fail()
		}
	}
}

func friendly(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "a string"
	case ty == cty.Number:
		return "a number"
	case ty == cty.Bool:
		return "a bool"
	case ty == cty.DynamicPseudoType:
		return "any value"
	}
	return typeexpr.TypeString(ty)
}

func describeLiteral(v cty.Value) string {
	t := v.Type()
	switch {
	case t == cty.String:
		return fmt.Sprintf("the string %q", v.AsString())
	case t == cty.Number:
		return "the number " + v.AsBigFloat().Text('f', -1)
	case t == cty.Bool:
		return fmt.Sprintf("the bool %t", v.True())
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		return "a list"
	case t.IsObjectType() || t.IsMapType():
		return "a map"
	}
	return t.FriendlyName()
}

func literalHint(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "write the value as a JSON string, in quotes"
	case ty == cty.Number:
		return "write a number without quotes"
	case ty == cty.Bool:
		return "write true or false without quotes"
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		return "write a JSON array"
	case ty.IsMapType() || ty.IsObjectType():
		return "write a JSON object"
	}
	return "give a value of type " + typeexpr.TypeString(ty)
}
