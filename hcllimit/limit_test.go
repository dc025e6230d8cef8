package hcllimit_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/hcllimit"
)

func TestNesting(t *testing.T) {
	t.Parallel()
	r := strings.Repeat
	tests := []struct {
		name string
		src  string
		want int
	}{
		{"empty", "", 0},
		{"attribute", "x = 1\n", 0},
		{"block", "resource \"a\" \"b\" {\n  x = 1\n}\n", 1}, // the labels' quotes close before the body
		{"nested blocks", "a {\n  b {\n    c {\n    }\n  }\n}\n", 3},
		{"tuple of tuples", "x = [[1, 2], [3, 4]]\n", 2},
		{"object in a call", "x = merge({ a = 1 }, var.b)\n", 2},
		{"string", "x = \"a\"\n", 1},
		{"interpolation", "x = \"a-${b}\"\n", 2},
		{"string in an index in an interpolation", "x = \"a-${b[\"c\"]}\"\n", 5},
		{"template if", "x = \"%{ if a }${b}%{ endif }\"\n", 3},
		{"nested template directives", "x = \"%{ for a in b }%{ if a }${a}%{ endif }%{ endfor }\"\n", 4},
		{"heredoc", "x = <<EOT\n${a}\nEOT\n", 2},
		{"comments are text", "# [[[[\n/* {{{{ */\nx = 1 // ((((\n", 0},
		{"strings are text", "x = \"[[[[ {{{{ ((((\"\n", 1},
		{"a reference", "x = var.a.b.c\n", 0},
		{"an index", "x = var.a[0]\n", 2},
		{"indexes", "x = var.a[0][1][2]\n", 4},
		{"a sum", "x = a + b + c\n", 2},
		{"operators of separate items", "x = [a + b, c + d, e + f]\n", 2},
		{"operators on separate lines", "x = a + b\ny = c + d\n", 1},
		{"unary operators", "x = !!!a\n", 3},
		{"negative numbers", "x = [-1, -2]\n", 2},
		{"conditional", "x = a ? b : c\n", 1},
		{"chained conditionals", "x = a ? b : c ? d : e\n", 2},
		{"splats", "x = a[*].b[*].c\n", 4},
		{"for expression over lines", "x = {\n  for k, v in m :\n  k => v\n  if v != null\n}\n", 2},
		{"a closer closes the nearest construct it matches", "x = ([)\ny = [[[1]]]\n", 3},
		{"a closer that matches nothing is ignored", "x = ]]]\ny = [1]\n", 1},
		{"deep tuples", "x = " + r("[", 300) + r("]", 300), 300},
		{"deep nots", "x = " + r("!", 300) + "a", 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got, _ := hcllimit.Nesting([]byte(tt.src)); got != tt.want {
				t.Errorf("Nesting(%q) = %d, want %d", tt.src, got, tt.want)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	r := strings.Repeat
	if err := hcllimit.Config([]byte("x = "+r("[", hcllimit.MaxNesting)+r("]", hcllimit.MaxNesting)+"\n"), "main.tf"); err != nil {
		t.Errorf("nesting at the limit: %v", err)
	}
	err := hcllimit.Config([]byte("locals {\n  x = "+r("[", hcllimit.MaxNesting)+"\n}\n"), "main.tf")
	var e *hcllimit.Error
	if !errors.As(err, &e) {
		t.Fatalf("nesting past the limit: %v", err)
	}
	want := hcllimit.Error{Kind: hcllimit.TooDeep, Filename: "main.tf", Pos: hcl.Pos{Line: 2, Column: 134, Byte: 142}, Limit: hcllimit.MaxNesting}
	if *e != want {
		t.Errorf("error %+v, want %+v", *e, want)
	}
	if got, want := err.Error(), "main.tf: line 2, column 134: nested more than 128 levels deep (brackets, braces, strings, templates and operators together)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestExpression(t *testing.T) {
	t.Parallel()
	r := strings.Repeat
	tests := []struct {
		name string
		src  string
		want string // the error, or "" for none
	}{
		{"plain", "merge(var.tags, { env = \"dev\" })", ""},
		{"too deep", r("(", 200) + "1" + r(")", 200), "line 1, column 129: nested more than 128 levels deep (brackets, braces, strings, templates and operators together)"},
		{"too long", `"` + r("a", hcllimit.MaxExpressionBytes) + `"`, "the expression is 262146 bytes long; an expression may be at most 256 KiB"},
		{"long but within the limit", `"` + r("a", hcllimit.MaxExpressionBytes-2) + `"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := hcllimit.Expression(tt.src)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDeepInputEachWay: each way HCL recurses, 100,000 levels deep, is refused; the
// parser's recursion would not survive any of them.
func TestDeepInputEachWay(t *testing.T) {
	t.Parallel()
	const deep = 100_000
	r := strings.Repeat
	for name, src := range map[string]string{
		"blocks":              r("a {\n", deep) + r("}\n", deep),
		"tuples":              "x = " + r("[", deep) + r("]", deep),
		"objects":             "x = " + r("{a=", deep) + "1" + r("}", deep),
		"calls":               "x = " + r("f(", deep) + "1" + r(")", deep),
		"templates":           "x = " + r(`"${`, deep) + "1" + r(`}"`, deep),
		"heredocs":            "x = " + r("<<EOT\n${", deep) + "1" + r("}\nEOT\n", deep),
		"template directives": `x = "` + r("%{if a}", deep) + r("%{endif}", deep) + `"`,
		"unary operators":     "x = " + r("-!", deep) + "a",
		"conditionals":        "x = " + r("a ? ", deep) + "1" + r(" : 2", deep),
		"else branches":       "x = " + r("a ? 1 : ", deep) + "2",
		"splats":              "x = a" + r("[*].b", deep),
		"legacy splats":       "x = a" + r(".*.b", deep),
		"sums":                "x = a" + r("+a", deep),
		"sums over lines":     "x = (a" + r("\n+a", deep) + ")",
		"for expressions":     "x = {for k in v :\n" + r("k => !\n", deep) + "k}",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var e *hcllimit.Error
			if err := hcllimit.Config([]byte(src), "deep.tf"); !errors.As(err, &e) || e.Kind != hcllimit.TooDeep {
				t.Errorf("error %v, want TooDeep", err)
			}
		})
	}
}

// TestRealConfigurationsParse: what the limits let through, hclsyntax parses: the check
// reads text as the parser does.
func TestRealConfigurationsParse(t *testing.T) {
	t.Parallel()
	src := []byte(`resource "azurerm_kubernetes_cluster" "aks" {
  name     = "aks-${var.env}"
  tags     = merge(var.tags, { env = var.env == "prod" ? "production" : var.env })
  dynamic_ = [for p in var.pools : { name = p.name, size = p.count * 2 } if !p.disabled]
  policy   = <<-EOT
    %{ for k, v in var.m }${k}=${v}%{ endfor }
  EOT
}
`)
	if err := hcllimit.Config(src, "main.tf"); err != nil {
		t.Fatal(err)
	}
	if _, diags := hclsyntax.ParseConfig(src, "main.tf", hcl.InitialPos); diags.HasErrors() {
		t.Fatal(diags)
	}
	// The block, the call, the object, == and ?, then the string "production".
	if n, _ := hcllimit.Nesting(src); n != 6 {
		t.Errorf("Nesting = %d, want 6", n)
	}
}
