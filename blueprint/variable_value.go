package blueprint

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// A variable's value is typed into one input the same way wherever it is typed: an
// environment's value and a variable's default follow one rule, decided by the variable's
// type, as HCP Terraform's variable form does for a plain string and an HCL value:
//
//   - string: the text is the string itself (northeurope), without leading or trailing
//     spaces; text in double quotes is read as one HCL string and unquoted once, so
//     "northeurope" is northeurope too, and quotes keep spaces ("  x  ") or write an empty
//     string ("").
//   - number, bool, list, set, map, object, tuple: the text is an HCL literal (JSON is one),
//     checked against the type: 3, true, ["1", "2"], { env = "dev" }.
//   - no type (any): an HCL literal is that value (3, true, "x", [...], {...}); any other
//     text is the string itself. Text starting with [ or { must be a literal.
//
// For every type, null is the null value and an empty input is no value at all: the
// environment then leaves the variable to its default, and a variable without a default is
// required. Values are stored typed (JSON literals), so the rule is only how text becomes a
// value and a value becomes text again: FormatVariableValue shows a value so that
// ParseVariableValue reads it back unchanged.

// ParseVariableValue reads text typed for a value of a variable whose type constraint is
// typ ("" when the variable has none). set is false when the text is empty: no value. A
// value that cannot be read, or does not fit the type, is an error diagnostic at path that
// names the type and gives an example; the value returned with it is the text kept as an
// expression, so that a caller that keeps drafts loses nothing typed.
func ParseVariableValue(path, text, typ string) (v Value, set bool, ds Diagnostics) {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" {
		return Value{}, false, nil
	}
	ty := variableType(typ)
	fail := func(summary, detail string, args ...any) (Value, bool, Diagnostics) {
		return Expr(trimmed), true, Diagnostics{{Severity: Error, Path: path, Summary: summary, Detail: fmt.Sprintf(detail, args...)}}
	}
	if err := hcllimit.Expression(trimmed); err != nil {
		return fail("the value is too large", "%s", err)
	}
	if trimmed == "null" {
		return Null(), true, nil
	}
	quoted := len(trimmed) >= 2 && strings.HasPrefix(trimmed, `"`) && strings.HasSuffix(trimmed, `"`)
	switch {
	case ty == cty.String && !quoted:
		return String(trimmed), true, nil
	case ty == cty.String:
		s, problem := quotedString(trimmed)
		if problem != "" {
			return fail("the quoted value is not one string",
				"%s; a value in double quotes is read as one HCL string, so leave the quotes out to take the text as it is (northeurope), or write a quote inside as \\\"", problem)
		}
		return String(s), true, nil
	case ty == cty.DynamicPseudoType && !quoted && !strings.HasPrefix(trimmed, "[") && !strings.HasPrefix(trimmed, "{"):
		if lit, ok := literalOf(trimmed); ok && lit.Type().IsPrimitiveType() {
			return Literal(lit), true, nil
		}
		return String(trimmed), true, nil
	}
	lit, ok := literalOf(trimmed)
	if !ok {
		if _, err := parseExpr(trimmed); err != nil {
			return fail(fmt.Sprintf("expected %s", friendly(ty)), "%s does not parse: %s; %s", clip(trimmed), err, valueExample(ty))
		}
		return fail(fmt.Sprintf("expected %s, got %s", friendly(ty), clip(trimmed)),
			"a value is plain data, known before anything runs: no references, function calls or interpolation; %s", valueExample(ty))
	}
	if ty.IsPrimitiveType() && !lit.IsNull() && lit.Type().IsPrimitiveType() && !lit.Type().Equals(ty) {
		if conv, err := convert.Convert(lit, ty); err == nil {
			return Literal(conv), true, nil
		}
	}
	vd := newValidator(&Blueprint{}, nil)
	vd.checkLiteral(path, lit, ty)
	if errs := vd.d.list.Errors(); len(errs) > 0 {
		for i := range errs {
			if errs[i].Path == path {
				errs[i].Detail = valueExample(ty)
			} else {
				errs[i].Detail = fmt.Sprintf("at %s: %s", strings.TrimPrefix(errs[i].Path, path), errs[i].Detail)
				errs[i].Path = path
			}
		}
		return Expr(trimmed), true, errs
	}
	return Literal(lit), true, nil
}

// FormatVariableValue is v as the input of a variable of type typ shows it: what
// ParseVariableValue reads back as v. A string of a string variable is the text itself,
// unless that text would be read as something else ("null", text in quotes, leading or
// trailing spaces, control characters such as a line break), which is then shown quoted.
func FormatVariableValue(v Value, typ string) string {
	if v.Kind == LiteralKind && !v.Literal.IsNull() && v.Literal.IsKnown() && v.Literal.Type() == cty.String {
		s := v.Literal.AsString()
		if oneLine := !strings.ContainsFunc(s, unicode.IsControl); oneLine {
			if back, set, ds := ParseVariableValue("", s, typ); set && len(ds) == 0 && back.Kind == LiteralKind && back.Literal.RawEquals(v.Literal) {
				return s
			}
		}
	}
	text, err := FormatValue(v)
	if err != nil {
		return ""
	}
	return text
}

// variableType is the type constraint typ, or any when there is none or it does not parse
// (Validate reports that).
func variableType(typ string) cty.Type {
	if strings.TrimSpace(typ) == "" {
		return cty.DynamicPseudoType
	}
	expr, err := parseExpr(typ)
	if err != nil {
		return cty.DynamicPseudoType
	}
	ty, _, diags := typeexpr.TypeConstraintWithDefaults(expr)
	if diags.HasErrors() {
		return cty.DynamicPseudoType
	}
	return ty
}

// literalOf is src's value when src is an HCL expression of plain data.
func literalOf(src string) (cty.Value, bool) {
	v, err := ParseValue(src)
	if err != nil || v.Kind != LiteralKind || !v.Literal.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v.Literal, true
}

// quotedString reads src, which starts and ends with a double quote, as one HCL string
// without interpolation; problem says why it is not one.
func quotedString(src string) (string, string) {
	e, err := parseExpr(src)
	if err != nil {
		return "", err.Error()
	}
	if _, wrap := e.(*hclsyntax.TemplateWrapExpr); wrap {
		return "", "it interpolates (${...}), which a value cannot; write $${ for a literal ${"
	}
	tmpl, ok := e.(*hclsyntax.TemplateExpr)
	if !ok {
		return "", "it is " + clip(src) + ", not a single quoted string"
	}
	if !tmpl.IsStringLiteral() {
		return "", "it interpolates (${...}), which a value cannot; write $${ for a literal ${"
	}
	v, diags := tmpl.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String {
		return "", "it is not a plain string"
	}
	return v.AsString(), ""
}

// valueExample says how a value of type ty is written.
func valueExample(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "write the text as it is, like northeurope"
	case ty == cty.Number:
		return "write a number, like 3 or 2.5"
	case ty == cty.Bool:
		return "write true or false"
	case ty.IsListType() || ty.IsSetType():
		return fmt.Sprintf("write a list in brackets, strings in quotes, like %s", example(ty))
	case ty.IsTupleType():
		return fmt.Sprintf("write a list in brackets, like %s", example(ty))
	case ty.IsMapType() || ty.IsObjectType():
		return fmt.Sprintf("write a map in braces, strings in quotes, like %s", example(ty))
	}
	return `write an HCL value, like "text", 3, ["a", "b"] or { env = "dev" }`
}

// example is a short HCL literal of type ty.
func example(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return `"dev"`
	case ty == cty.Number:
		return "3"
	case ty == cty.Bool:
		return "true"
	case ty.IsListType() || ty.IsSetType():
		e := example(ty.ElementType())
		return "[" + e + ", " + e + "]"
	case ty.IsTupleType():
		var parts []string
		for _, et := range ty.TupleElementTypes() {
			parts = append(parts, example(et))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case ty.IsMapType():
		return "{ env = " + example(ty.ElementType()) + " }"
	case ty.IsObjectType():
		var parts []string
		for _, n := range objectAttrNames(ty) {
			parts = append(parts, n+" = "+example(ty.AttributeType(n)))
			if len(parts) == 3 {
				break
			}
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	}
	return `"dev"`
}

// clip is text short enough to quote in a message.
func clip(text string) string {
	const max = 40
	if r := []rune(text); len(r) > max {
		text = string(r[:max]) + "…"
	}
	return fmt.Sprintf("%q", text)
}
