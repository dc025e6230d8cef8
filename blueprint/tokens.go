package blueprint

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// tokens renders a value as hclwrite tokens.
func (v Value) tokens() (hclwrite.Tokens, error) {
	switch v.Kind {
	case LiteralKind:
		if v.Literal == cty.NilVal {
			return nil, fmt.Errorf("literal value is not set")
		}
		if !v.Literal.IsWhollyKnown() {
			return nil, fmt.Errorf("a literal must be known")
		}
		return literalTokens(v.Literal), nil
	case ReferenceKind:
		t, err := parseRef(v.Ref)
		if err != nil {
			return nil, err
		}
		return hclwrite.TokensForTraversal(t), nil
	case ExpressionKind:
		return exprTokens(v.Expr)
	case ListKind:
		items := make([]hclwrite.Tokens, len(v.List))
		for i, item := range v.List {
			t, err := item.tokens()
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			items[i] = t
		}
		return tupleTokens(items), nil
	case MapKind:
		attrs := make([]hclwrite.ObjectAttrTokens, 0, len(v.Map))
		for _, k := range v.SortedKeys() {
			t, err := v.Map[k].tokens()
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			attrs = append(attrs, hclwrite.ObjectAttrTokens{Name: keyTokens(k), Value: t})
		}
		return hclwrite.TokensForObject(attrs), nil
	}
	return nil, fmt.Errorf("value of unknown kind %q", v.Kind)
}

// keyTokens writes an object key bare when it is an identifier, quoted otherwise. Keywords
// are quoted too: `{ for = 1 }` would start a for expression and `{ null = 1 }` a null key.
func keyTokens(k string) hclwrite.Tokens {
	if hclsyntax.ValidIdentifier(k) && !keyKeywords[k] {
		return hclwrite.TokensForIdentifier(k)
	}
	return hclwrite.TokensForValue(cty.StringVal(k))
}

var keyKeywords = map[string]bool{"for": true, "in": true, "if": true, "null": true, "true": true, "false": true}

// literalTokens writes a literal; collections are built here rather than by
// hclwrite.TokensForValue so that object keys go through keyTokens.
func literalTokens(v cty.Value) hclwrite.Tokens {
	ty := v.Type()
	if v.IsNull() || !(ty.IsObjectType() || ty.IsMapType() || ty.IsTupleType() || ty.IsListType() || ty.IsSetType()) {
		return hclwrite.TokensForValue(v)
	}
	if ty.IsObjectType() || ty.IsMapType() {
		var attrs []hclwrite.ObjectAttrTokens
		for it := v.ElementIterator(); it.Next(); { // cty iterates keys in sorted order
			k, e := it.Element()
			attrs = append(attrs, hclwrite.ObjectAttrTokens{Name: keyTokens(k.AsString()), Value: literalTokens(e)})
		}
		return hclwrite.TokensForObject(attrs)
	}
	var items []hclwrite.Tokens
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		items = append(items, literalTokens(e))
	}
	return tupleTokens(items)
}

// tupleTokens is hclwrite.TokensForTuple, except that an item ending in a heredoc gets the
// newline its closing marker needs before the next comma.
func tupleTokens(items []hclwrite.Tokens) hclwrite.Tokens {
	out := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")}}
	for i, item := range items {
		if i > 0 {
			out = append(out, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")})
		}
		out = append(out, item...)
		if n := len(item); n > 0 && item[n-1].Type == hclsyntax.TokenCHeredoc {
			out = append(out, &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
		}
	}
	return append(out, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
}

// exprTokens turns expression source into hclwrite tokens by letting hclwrite parse it as
// the value of an attribute: the tokens keep the author's expression exactly, heredocs
// included, and Format later normalises the spacing.
func exprTokens(src string) (hclwrite.Tokens, error) {
	if _, err := parseExpr(src); err != nil {
		return nil, err
	}
	f, diags := hclwrite.ParseConfig([]byte("x = "+src+"\n"), "", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s", diagsText(diags))
	}
	attr := f.Body().GetAttribute("x")
	if attr == nil || len(f.Body().Attributes()) != 1 || len(f.Body().Blocks()) != 0 {
		return nil, fmt.Errorf("not a single expression")
	}
	return attr.Expr().BuildTokens(nil), nil
}

func traversalTokens(ref string) (hclwrite.Tokens, error) {
	t, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	return hclwrite.TokensForTraversal(t), nil
}

func traversalListTokens(refs []string) (hclwrite.Tokens, error) {
	items := make([]hclwrite.Tokens, len(refs))
	for i, r := range refs {
		t, err := traversalTokens(r)
		if err != nil {
			return nil, err
		}
		items[i] = t
	}
	return hclwrite.TokensForTuple(items), nil
}

func commentTokens(lines []string) hclwrite.Tokens {
	var out hclwrite.Tokens
	for _, l := range lines {
		text := "#"
		if l != "" {
			text += " " + l
		}
		out = append(out, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte(text + "\n")})
	}
	return out
}

// emptyBlockTokens writes `name {}` on one line, the way people write `features {}`.
func emptyBlockTokens(typ string, labels []string) hclwrite.Tokens {
	out := hclwrite.Tokens{{Type: hclsyntax.TokenIdent, Bytes: []byte(typ)}}
	for _, l := range labels {
		out = append(out, hclwrite.TokensForValue(cty.StringVal(l))...)
	}
	return append(out,
		&hclwrite.Token{Type: hclsyntax.TokenOBrace, Bytes: []byte("{")},
		&hclwrite.Token{Type: hclsyntax.TokenCBrace, Bytes: []byte("}")},
		&hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")},
	)
}
