package policy

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/hcllimit"
)

// static is what can be known about a value without evaluating anything: literals are
// themselves, lists and objects keep their shape, and whatever depends on a reference or a
// function call is unknown. Rules treat unknown as "cannot tell" and stay silent.
func static(v blueprint.Value) cty.Value {
	if v.Kind == blueprint.LiteralKind {
		return v.Literal
	}
	e, ok := parse(v)
	if !ok {
		return cty.DynamicVal
	}
	return staticExpr(e)
}

func parse(v blueprint.Value) (hclsyntax.Expression, bool) {
	e, _, ok := parseSource(v)
	return e, ok
}

// parseSource parses a value as Generate writes it, returning the source its ranges refer to.
// Text nested deeper than hcllimit allows (a literal from a document may be) is not parsed,
// as the parser's recursion might not survive it: the rules cannot tell anything about it.
func parseSource(v blueprint.Value) (hclsyntax.Expression, []byte, bool) {
	src, err := blueprint.FormatValue(v)
	if err != nil || hcllimit.Config([]byte(src), "") != nil {
		return nil, nil, false
	}
	e, diags := hclsyntax.ParseExpression([]byte(src), "value.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, nil, false
	}
	return e, []byte(src), true
}

func staticExpr(e hclsyntax.Expression) cty.Value {
	switch e := e.(type) {
	case *hclsyntax.TupleConsExpr:
		if len(e.Exprs) == 0 {
			return cty.EmptyTupleVal
		}
		items := make([]cty.Value, len(e.Exprs))
		for i, item := range e.Exprs {
			items[i] = staticExpr(item)
		}
		return cty.TupleVal(items)
	case *hclsyntax.ObjectConsExpr:
		if len(e.Items) == 0 {
			return cty.EmptyObjectVal
		}
		attrs := map[string]cty.Value{}
		for _, item := range e.Items {
			k := staticExpr(item.KeyExpr)
			if !k.IsKnown() || k.IsNull() || k.Type() != cty.String {
				return cty.DynamicVal // a computed key hides which keys there are
			}
			attrs[k.AsString()] = staticExpr(item.ValueExpr)
		}
		return cty.ObjectVal(attrs)
	case *hclsyntax.ObjectConsKeyExpr:
		v, diags := e.Value(nil)
		if diags.HasErrors() {
			return cty.DynamicVal
		}
		return v
	}
	if len(e.Variables()) > 0 {
		return cty.DynamicVal
	}
	v, diags := e.Value(nil) // no functions in scope: a call is an error, hence unknown
	if diags.HasErrors() {
		return cty.DynamicVal
	}
	return v
}

// knownString is a known, non-null string.
func knownString(v cty.Value) (string, bool) {
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// knownBool is a known bool, or a string that spells one (Helm values are strings).
func knownBool(v cty.Value) (bool, bool) {
	if !v.IsKnown() || v.IsNull() {
		return false, false
	}
	switch v.Type() {
	case cty.Bool:
		return v.True(), true
	case cty.String:
		switch strings.ToLower(v.AsString()) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// knownKeys are the keys of a known map or object; false when they cannot be told.
func knownKeys(v cty.Value) ([]string, bool) {
	if !v.IsKnown() || v.IsNull() {
		return nil, false
	}
	ty := v.Type()
	if !ty.IsObjectType() && !ty.IsMapType() {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		out = append(out, k.AsString())
	}
	return out, true
}

// elements are the items of a known list, set or tuple; false when they cannot be told.
func elements(v cty.Value) ([]cty.Value, bool) {
	if !v.IsKnown() || v.IsNull() {
		return nil, false
	}
	ty := v.Type()
	if !ty.IsTupleType() && !ty.IsListType() && !ty.IsSetType() {
		return nil, false
	}
	var out []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e)
	}
	return out, true
}

// attr is a known object's or map's attribute, or null when absent.
func attr(v cty.Value, name string) cty.Value {
	if !v.IsKnown() || v.IsNull() {
		return cty.DynamicVal
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		if !ty.HasAttribute(name) {
			return cty.NullVal(cty.DynamicPseudoType)
		}
		return v.GetAttr(name)
	case ty.IsMapType():
		k := cty.StringVal(name)
		if !v.HasIndex(k).True() {
			return cty.NullVal(cty.DynamicPseudoType)
		}
		return v.Index(k)
	}
	return cty.DynamicVal
}

// referencedResources are the managed resources a value refers to, as TYPE.NAME.
func referencedResources(v blueprint.Value) []string {
	if v.Kind == blueprint.LiteralKind {
		return nil
	}
	e, ok := parse(v)
	if !ok {
		return nil
	}
	var out []string
	for _, t := range e.Variables() {
		root := t.RootName()
		switch root {
		case "var", "local", "data", "count", "each", "path", "terraform", "self":
			continue
		}
		if len(t) < 2 {
			continue
		}
		if a, ok := t[1].(hcl.TraverseAttr); ok {
			out = append(out, root+"."+a.Name)
		}
	}
	return out
}
