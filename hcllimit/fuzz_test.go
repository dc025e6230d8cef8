package hcllimit_test

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// fuzzStack is the most stack FuzzConfig lets the parser use (Go's default is 1 GB). The
// seeds at the limit need between 1 and 2 MB; anything the check lets through that recurses
// ten times deeper crashes the fuzzer, which then keeps the input that did it.
const fuzzStack = 16 << 20

// FuzzConfig: text that Config accepts parses with hclsyntax and hclwrite, and its
// expressions are walked, within fuzzStack: the check reads nesting as the parser does,
// whatever the text. Seeds are each way HCL nests, at the limit and past it.
func FuzzConfig(f *testing.F) {
	r := strings.Repeat
	for _, n := range []int{hcllimit.MaxNesting - 2, hcllimit.MaxNesting + 1} {
		for _, src := range []string{
			r("a {\n", n) + r("}\n", n),
			"x = " + r("[", n) + r("]", n),
			"x = " + r("{a=", n) + "1" + r("}", n),
			"x = " + r("f(", n) + "1" + r(")", n),
			"x = " + r(`"${`, n) + "1" + r(`}"`, n),
			"x = " + r("<<EOT\n${", n) + "1" + r("}\nEOT\n", n),
			`x = "` + r("%{if a}", n) + r("%{endif}", n) + `"`,
			`x = "` + r("%{for a in b}", n) + r("%{endfor}", n) + `"`,
			"x = " + r("-!", n/2) + "a",
			"x = " + r("a ? ", n) + "1" + r(" : 2", n),
			"x = " + r("a ? 1 : ", n) + "2",
			"x = a" + r("[*].b", n),
			"x = a" + r("[b]", n),
			"x = a" + r("+a", n),
			"x = {for k in v :\n" + r("k => !\n", n) + "k}",
		} {
			f.Add([]byte(src))
		}
	}
	f.Add([]byte("resource \"a\" \"b\" {\n  x = [for v in var.l : { k = v.k } if v != null]\n  y = <<-EOT\n    %{ for k in var.m }${k}%{ endfor }\n  EOT\n}\n"))
	prev := debug.SetMaxStack(fuzzStack)
	f.Cleanup(func() { debug.SetMaxStack(prev) })
	f.Fuzz(func(t *testing.T, src []byte) {
		if hcllimit.Config(src, "f.tf") != nil {
			return
		}
		file, _ := hclsyntax.ParseConfig(src, "f.tf", hcl.InitialPos)
		if body, ok := file.Body.(*hclsyntax.Body); ok {
			walkBody(body)
		}
		if wf, diags := hclwrite.ParseConfig(src, "f.tf", hcl.InitialPos); !diags.HasErrors() {
			_ = wf.Bytes()
		}
		_ = hclwrite.Format(src)
	})
}

func walkBody(b *hclsyntax.Body) {
	for _, a := range b.Attributes {
		a.Expr.Variables()
	}
	for _, blk := range b.Blocks {
		walkBody(blk.Body)
	}
}
