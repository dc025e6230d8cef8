package blueprint_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// compareConfigs says how a regenerated configuration differs from the original, or "" when
// it declares the same resources, data sources, providers, variables, locals and outputs,
// each with the same arguments and nested blocks (meta-arguments and lifecycle included)
// and the same values. Values are compared as data when they are plain literals (so `1.0`
// and `1` agree, "3389" and 3389 do not) and otherwise token by token, ignoring layout and
// comments. The terraform block is not compared: import completes its required_providers.
func compareConfigs(original, regenerated []byte) string {
	want, err := flatten(original)
	if err != "" {
		return "original: " + err
	}
	got, err := flatten(regenerated)
	if err != "" {
		return "regenerated: " + err
	}
	for _, addr := range sortedKeys(want) {
		g, ok := got[addr]
		if !ok {
			return addr + " is missing"
		}
		w := want[addr]
		for _, p := range sortedKeys(w) {
			gv, ok := g[p]
			switch {
			case !ok:
				return fmt.Sprintf("%s: %s is missing", addr, p)
			case !sameValue(w[p], gv):
				return fmt.Sprintf("%s: %s is %s, was %s", addr, p, gv.text, w[p].text)
			}
		}
		for _, p := range sortedKeys(g) {
			if _, ok := w[p]; !ok {
				return fmt.Sprintf("%s: %s was added", addr, p)
			}
		}
	}
	for _, addr := range sortedKeys(got) {
		if _, ok := want[addr]; !ok {
			return addr + " was added"
		}
	}
	return ""
}

type flatValue struct {
	text   string // tokens without layout
	expr   hclsyntax.Expression
	isBody bool // a nested block's own entry, so an empty block still counts
}

func sameValue(a, b flatValue) bool {
	if a.isBody || b.isBody {
		return a.isBody == b.isBody
	}
	av, aok := literalValue(a.expr)
	bv, bok := literalValue(b.expr)
	if aok && bok {
		// A list literal evaluates to a tuple however it is laid out; GoString compares the
		// data and its types (a string "1" is not the number 1).
		return av.GoString() == bv.GoString() || av.RawEquals(bv)
	}
	return a.text == b.text
}

// literalValue evaluates plain data: no references, no function calls.
func literalValue(e hclsyntax.Expression) (cty.Value, bool) {
	if len(e.Variables()) > 0 || hasCall(e) {
		return cty.NilVal, false
	}
	val, diags := e.Value(nil)
	if diags.HasErrors() || !val.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return val, true
}

func hasCall(e hclsyntax.Expression) bool {
	found := false
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if _, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			found = true
		}
		return nil
	})
	return found
}

// flatten reads a configuration into its top-level blocks by address, each as its
// arguments and nested blocks by path (default_node_pool[0].vm_size).
func flatten(src []byte) (map[string]map[string]flatValue, string) {
	f, diags := hclsyntax.ParseConfig(src, "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags.Error()
	}
	out := map[string]map[string]flatValue{}
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		if blk.Type == "terraform" {
			continue
		}
		addr := strings.Join(append([]string{blk.Type}, blk.Labels...), ".")
		if blk.Type == "locals" {
			addr = "locals"
		}
		if blk.Type == "provider" {
			if a := blk.Body.Attributes["alias"]; a != nil {
				addr += "." + strings.Trim(string(a.Expr.Range().SliceBytes(src)), `"`)
			}
		}
		m := out[addr]
		if m == nil {
			m = map[string]flatValue{}
			out[addr] = m
		}
		flattenBody(src, blk.Body, "", m)
		if blk.Type == "provider" {
			// Terraform 0.12's provider version moves to required_providers on import (as
			// TestImportConvertsLegacySyntax checks), and the terraform block is not compared.
			delete(m, "version")
		}
	}
	return out, ""
}

func flattenBody(src []byte, body *hclsyntax.Body, prefix string, out map[string]flatValue) {
	for name, a := range body.Attributes {
		unquote := name == "depends_on" || name == "ignore_changes" || name == "provider"
		out[prefix+name] = flatValue{text: tokenText(a.Expr.Range().SliceBytes(src), unquote), expr: a.Expr}
	}
	counts := map[string]int{}
	for _, b := range body.Blocks {
		key := strings.Join(append([]string{b.Type}, b.Labels...), ".")
		p := fmt.Sprintf("%s%s[%d]", prefix, key, counts[key])
		counts[key]++
		out[p] = flatValue{isBody: true}
		flattenBody(src, b.Body, p+".", out)
	}
}

// tokenText is an expression's tokens without what does not change its meaning: newlines,
// comments, a comma before a closing bracket, and the legacy index form (a.0 is a[0]).
// With unquote, quotes are dropped too: the references of depends_on, ignore_changes and
// provider may be written in quotes (Terraform 0.11's form, converted on import).
func tokenText(src []byte, unquote bool) string {
	toks, _ := hclsyntax.LexExpression(src, "", hcl.InitialPos)
	var kept []string
	for i, t := range toks {
		switch t.Type {
		case hclsyntax.TokenNewline, hclsyntax.TokenComment, hclsyntax.TokenEOF:
			continue
		case hclsyntax.TokenOQuote, hclsyntax.TokenCQuote:
			if unquote {
				continue
			}
		case hclsyntax.TokenComma:
			if next := nextSignificant(toks, i); next == hclsyntax.TokenCBrack || next == hclsyntax.TokenCBrace || next == hclsyntax.TokenCParen {
				continue
			}
		case hclsyntax.TokenNumberLit:
			if len(kept) > 0 && kept[len(kept)-1] == "." {
				kept[len(kept)-1] = "["
				kept = append(kept, string(t.Bytes), "]")
				continue
			}
		}
		kept = append(kept, string(t.Bytes))
	}
	if unquote {
		return strings.Join(kept, "") // "a.b" is one token, a.b three
	}
	return strings.Join(kept, " ")
}

func nextSignificant(toks hclsyntax.Tokens, i int) hclsyntax.TokenType {
	for _, t := range toks[i+1:] {
		if t.Type != hclsyntax.TokenNewline && t.Type != hclsyntax.TokenComment {
			return t.Type
		}
	}
	return hclsyntax.TokenEOF
}

// TestCompareConfigsSeesEveryLoss guards the corpus measurement's comparison: what changes
// meaning is a difference, what only changes layout or legacy spelling is not.
func TestCompareConfigsSeesEveryLoss(t *testing.T) {
	t.Parallel()
	original := `resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
  tags     = { env = "dev" }
  depends_on = ["azurerm_subnet.x"]
  lifecycle {
    ignore_changes = ["tags",]
  }
  nested {
    zones = [1, 2]
  }
}
output "x" { value = azurerm_resource_group.main.tags.0 }
`
	same := `resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
  tags = {
    env = "dev"
  }
  nested {
    zones = [
      1,
      2,
    ]
  }
  depends_on = [azurerm_subnet.x]
  lifecycle {
    ignore_changes = [tags]
  }
}
output "x" {
  value = azurerm_resource_group.main.tags[0]
}
`
	if d := compareConfigs([]byte(original), []byte(same)); d != "" {
		t.Errorf("the same configuration, laid out differently, compares different: %s", d)
	}
	for name, changed := range map[string]string{
		"argument dropped":   strings.Replace(same, `location = "westeurope"`, "", 1),
		"value changed":      strings.Replace(same, `"westeurope"`, `"northeurope"`, 1),
		"string to number":   strings.Replace(same, "1,", `"1",`, 1),
		"nested block lost":  strings.Replace(same, "nested {", "other {", 1),
		"resource renamed":   strings.Replace(same, `"main"`, `"main2"`, 1),
		"output dropped":     same[:strings.Index(same, "output")],
		"reference changed":  strings.Replace(same, "tags[0]", "tags[1]", 1),
		"resource added":     same + `resource "azurerm_resource_group" "other" {}` + "\n",
		"lifecycle argument": strings.Replace(same, "ignore_changes = [tags]", "ignore_changes = [name]", 1),
	} {
		if d := compareConfigs([]byte(original), []byte(changed)); d == "" {
			t.Errorf("%s: no difference found", name)
		}
	}
}
