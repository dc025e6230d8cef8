// Turning HCL expressions into Values: literals, references, lists and maps, or the
// author's source as an Expr.

package blueprint

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// source is an expression's exact source text.
func (im *importer) source(e hclsyntax.Expression) string {
	r := e.Range()
	return string(r.SliceBytes(im.src))
}

// exprSource is an expression's source as an Expr keeps it: the author's text in
// `terraform fmt` layout, so it does not depend on how deep the expression was nested.
func (im *importer) exprSource(e hclsyntax.Expression) string {
	return canonicalExpr(im.source(e))
}

func canonicalExpr(src string) string {
	out := string(hclwrite.Format([]byte("x = " + strings.TrimRight(src, " \t\r\n") + "\n")))
	out, ok := strings.CutPrefix(out, "x = ")
	if !ok {
		return src
	}
	return strings.TrimRight(out, "\n")
}

// value converts an expression. Plain data (literals, literal strings, tuples and objects of
// those) becomes a Literal and a reference a Ref. A tuple or object mixing kinds becomes a
// List or Map only when the generator writes it back as the author laid it out (same key
// order, same line breaks); otherwise, like anything else, it is kept as an Expr of the
// author's source, so importing never reorders or reflows an expression. Heredocs are Exprs.
func (im *importer) value(e hclsyntax.Expression) Value {
	src := im.exprSource(e)
	if isHeredoc(src) {
		return Expr(src)
	}
	if v, ok := im.pureLiteral(e); ok {
		return Literal(v)
	}
	switch e := e.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		if t, ok := im.traversal(e); ok {
			return Ref(t)
		}
	case *hclsyntax.TupleConsExpr:
		items := make([]Value, len(e.Exprs))
		for i, item := range e.Exprs {
			items[i] = im.value(item)
		}
		return im.structured(src, List(items...))
	case *hclsyntax.ObjectConsExpr:
		m := map[string]Value{}
		ok := true
		for _, item := range e.Items {
			k, static := im.staticKey(item.KeyExpr)
			if _, dup := m[k]; !static || dup {
				ok = false
				break
			}
			m[k] = im.value(item.ValueExpr)
		}
		if ok {
			return im.structured(src, Map(m))
		}
	}
	return Expr(src)
}

// structured keeps v when it is written back as src is written (up to formatting), and
// src as an Expr otherwise.
func (im *importer) structured(src string, v Value) Value {
	t, err := v.tokens()
	if err != nil || formatExpr(string(t.Bytes())) != formatExpr(src) {
		return Expr(src)
	}
	return v
}

func formatExpr(src string) string {
	return string(hclwrite.Format([]byte("x = " + strings.TrimSpace(src) + "\n")))
}

func isHeredoc(src string) bool { return strings.HasPrefix(src, "<<") }

// pureLiteral evaluates an expression built only from literals, literal strings, and tuples
// and objects of those.
func (im *importer) pureLiteral(e hclsyntax.Expression) (cty.Value, bool) {
	if !im.isPureLiteral(e) || len(e.Variables()) > 0 {
		return cty.NilVal, false
	}
	v, d := e.Value(nil)
	if d.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

func (im *importer) isPureLiteral(e hclsyntax.Expression) bool {
	if isHeredoc(im.source(e)) {
		return false
	}
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return true
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			if lit, ok := p.(*hclsyntax.LiteralValueExpr); !ok || lit.Val.Type() != cty.String {
				return false
			}
		}
		return true
	case *hclsyntax.UnaryOpExpr:
		lit, ok := e.Val.(*hclsyntax.LiteralValueExpr)
		return ok && e.Op == hclsyntax.OpNegate && lit.Val.Type() == cty.Number
	case *hclsyntax.TupleConsExpr:
		for _, item := range e.Exprs {
			if !im.isPureLiteral(item) {
				return false
			}
		}
		return true
	case *hclsyntax.ObjectConsExpr:
		seen := map[string]bool{}
		for _, item := range e.Items {
			k, ok := im.staticKey(item.KeyExpr)
			if !ok || seen[k] || !im.isPureLiteral(item.ValueExpr) {
				return false
			}
			seen[k] = true
		}
		return true
	}
	return false
}

// staticKey is an object key written as a bare name or a literal string.
func (im *importer) staticKey(e hclsyntax.Expression) (string, bool) {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if k.ForceNonLiteral {
			return "", false
		}
		if kw := hcl.ExprAsKeyword(k.Wrapped); kw != "" {
			return kw, true
		}
		e = k.Wrapped
	}
	t, ok := e.(*hclsyntax.TemplateExpr)
	if !ok || !im.isPureLiteral(t) {
		return "", false
	}
	v, d := t.Value(nil)
	if d.HasErrors() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func (im *importer) literalString(e hclsyntax.Expression) (string, bool) {
	v, ok := im.pureLiteral(e)
	if !ok || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func (im *importer) literalBool(e hclsyntax.Expression) (bool, bool) {
	v, ok := im.pureLiteral(e)
	if !ok || v.IsNull() || v.Type() != cty.Bool {
		return false, false
	}
	return v.True(), true
}

// traversal renders a reference expression the way the generator writes it back.
func (im *importer) traversal(e hclsyntax.Expression) (string, bool) {
	t, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok {
		return "", false
	}
	s := string(bytes.TrimSpace(hclwrite.TokensForTraversal(t.Traversal).Bytes()))
	if _, err := parseRef(s); err != nil {
		return "", false
	}
	return s, true
}

// traversalList reads a list of references, reporting each item that is not one. With
// quoted, a reference in quotes (Terraform 0.11's form, which depends_on and ignore_changes
// still accept) is read as the reference, with a note.
func (im *importer) traversalList(p string, e hclsyntax.Expression, quoted bool) []string {
	tup, ok := e.(*hclsyntax.TupleConsExpr)
	if !ok {
		im.err(p, e.Range(), "not a list of references", "write [a.b, c.d]")
		return nil
	}
	var out []string
	for i, item := range tup.Exprs {
		t, ok := im.traversal(item)
		if !ok && quoted {
			t, ok = im.quotedReference(fmt.Sprintf("%s[%d]", p, i), item)
		}
		if !ok {
			im.err(fmt.Sprintf("%s[%d]", p, i), item.Range(), "not a reference", "%s", im.source(item))
			continue
		}
		out = append(out, t)
	}
	return out
}
