package blueprint_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/hcllimit"
)

// deep is how far the inputs below nest: far past the limits, and far past what
// hclsyntax's recursion survives (a Go stack overflow is fatal, not a panic).
const deep = 100_000

const tooDeep = "nested more than 128 levels deep"

// deepExpressions are HCL expressions nested n levels deep in each way the parser, or a
// walk over what it builds, recurses.
func deepExpressions(n int) map[string]string {
	r := strings.Repeat
	return map[string]string{
		"tuples":              r("[", n) + r("]", n),
		"objects":             r("{a=", n) + "1" + r("}", n),
		"parentheses":         r("(", n) + "1" + r(")", n),
		"calls":               r("f(", n) + "1" + r(")", n),
		"templates":           r(`"${`, n) + "1" + r(`}"`, n),
		"template directives": `"` + r("%{if a}", n) + r("%{endif}", n) + `"`,
		"nots":                r("!", n) + "a",
		"negations":           r("-", n) + "1",
		"conditionals":        r("a ? ", n) + "1" + r(" : 2", n),
		"splats":              "a" + r("[*].b", n),
		"indexes":             "a" + r("[b]", n),
		"sums":                "a" + r("+a", n),
	}
}

func TestImportRefusesDeepNesting(t *testing.T) {
	t.Parallel()
	cases := map[string]string{"blocks": strings.Repeat("a {\n", deep) + strings.Repeat("}\n", deep)}
	for name, expr := range deepExpressions(deep) {
		cases[name] = "locals {\n  x = " + expr + "\n}\n"
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, diags := blueprint.Import(map[string][]byte{"main.tf": []byte("locals {\n  y = 1\n}\n"), "deep.tf": []byte(src)})
			errs := diags.Errors()
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Path, "deep.tf:") || !strings.Contains(errs[0].Detail, tooDeep) {
				t.Fatalf("want one error on deep.tf naming the limit, got:\n%s", diags.Error())
			}
		})
	}
}

// TestParseValueRefusesDeepNesting: an expression typed in the editor or an environment that
// breaks a limit is an error naming it, and the text is kept. 100,000 levels of most kinds
// take more than MaxExpressionBytes, so those are refused for their length.
func TestParseValueRefusesDeepNesting(t *testing.T) {
	t.Parallel()
	for _, n := range []int{200, deep} {
		for name, expr := range deepExpressions(n) {
			t.Run(fmt.Sprintf("%s %d", name, n), func(t *testing.T) {
				t.Parallel()
				v, err := blueprint.ParseValue(expr)
				var lim *hcllimit.Error
				switch {
				case !errors.As(err, &lim):
					t.Fatalf("error %v, want one naming a limit", err)
				case len(expr) > hcllimit.MaxExpressionBytes:
					if lim.Kind != hcllimit.TooLong || !strings.Contains(err.Error(), "at most 256 KiB") {
						t.Errorf("error %v, want one naming the length limit", err)
					}
				case lim.Kind != hcllimit.TooDeep || !strings.Contains(err.Error(), tooDeep):
					t.Errorf("error %v, want one naming the nesting limit", err)
				}
				if v.Kind != blueprint.ExpressionKind || v.Expr != expr {
					t.Error("the text is not kept as an expression")
				}
			})
		}
	}
}

// TestValidateRefusesDeepExpressions: wherever a document holds HCL text, a deep one is an
// error at its path naming the limit, and neither generating, formatting nor renaming
// parses it.
func TestValidateRefusesDeepExpressions(t *testing.T) {
	t.Parallel()
	expr := deepExpressions(deep)["tuples"]
	q, _ := json.Marshal(expr)
	e := fmt.Sprintf(`{"expr": %s}`, q)
	doc := `{"format": 1, "name": "deep",
	  "variables": [
	    {"name": "a", "type": ` + string(q) + `},
	    {"name": "b", "default": ` + e + `},
	    {"name": "c", "type": "list(string)", "validations": [{"condition": ` + string(q) + `, "error_message": "No."}]}],
	  "locals": [{"name": "l", "value": {"list": [{"literal": 1}, {"map": {"k": ` + e + `}}]}}],
	  "resources": [{"type": "terraform_data", "name": "r", "count": ` + e + `,
	    "config": {"input": ` + e + `, "triggers_replace": {"ref": ` + string(q) + `}}}],
	  "outputs": [{"name": "o", "value": ` + e + `}]}`
	b, err := blueprint.ParseDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, d := range blueprint.Validate(b, testCatalog(t)).Errors() {
		if strings.Contains(d.Detail, tooDeep) {
			got[d.Path] = true
		}
	}
	for _, path := range []string{
		"variables[a].type", "variables[b].default", "variables[c].validations[0].condition",
		`locals[l][1]["k"]`, "resources[terraform_data.r].count", "resources[terraform_data.r].input",
		"resources[terraform_data.r].triggers_replace", "outputs[o].value",
	} {
		if !got[path] {
			t.Errorf("no error naming the limit at %s; got %v", path, got)
		}
	}
	if _, err := blueprint.Generate(b, blueprint.GenerateOptions{}); err == nil {
		t.Error("a blueprint with deep expressions generated")
	}
	if _, err := blueprint.FormatValue(blueprint.Expr(expr)); err == nil || !strings.Contains(err.Error(), tooDeep) {
		t.Errorf("FormatValue: %v", err)
	}
	if _, err := blueprint.RenameResource(b, "terraform_data.r", "s"); err != nil {
		t.Errorf("renaming beside a deep expression: %v", err)
	}
}

// TestParseDocumentRefusesDeepJSON: a document nested deeper than MaxDocumentNesting is
// refused before it is decoded, naming the limit and where it is passed.
func TestParseDocumentRefusesDeepJSON(t *testing.T) {
	t.Parallel()
	r := strings.Repeat
	tests := map[string]string{
		"lists":    `{"format": 1, "name": "x", "locals": [{"name": "l", "value": ` + r(`{"list": [`, deep) + `{"literal": 1}` + r(`]}`, deep) + `}]}`,
		"literal":  `{"format": 1, "name": "x", "locals": [{"name": "l", "value": {"literal": ` + r("[", deep) + r("]", deep) + `}}]}`,
		"blocks":   `{"format": 1, "name": "x", "resources": [{"type": "t", "name": "n", "config": ` + r(`{"b": [`, deep) + r(`]}`, deep) + `}]}`,
		"just 321": `{"format": 1, "name": "x", "locals": [{"name": "l", "value": {"literal": ` + r("[", 317) + r("]", 317) + `}}]}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := blueprint.ParseDocument([]byte(doc))
			if !errors.Is(err, blueprint.ErrDocument) || !strings.Contains(err.Error(), "nested more than 320 levels deep at line 1, column ") {
				t.Fatalf("error %v, want one naming the limit", err)
			}
		})
	}
	ok := `{"format": 1, "name": "x", "locals": [{"name": "l", "value": {"literal": ` + r("[", 316) + r("]", 316) + `}}]}`
	if _, err := blueprint.ParseDocument([]byte(ok)); err != nil {
		t.Errorf("a document nested exactly 320 levels: %v", err)
	}
	env := `{"format": 1, "name": "dev", "variables": {"x": ` + r("[", deep) + r("]", deep) + `}}`
	if _, err := blueprint.ParseEnvironment([]byte(env)); !errors.Is(err, blueprint.ErrDocument) || !strings.Contains(err.Error(), "nested more than 320 levels deep") {
		t.Errorf("environment: %v", err)
	}
}

// TestRealConfigurationsNestWellWithinTheLimits measures the limits against what people
// write: the examples of every provider's documentation in the catalog, the import corpus,
// the starters and the golden documents all stay under a quarter of each limit.
func TestRealConfigurationsNestWellWithinTheLimits(t *testing.T) {
	t.Parallel()
	deepest := map[string]int{}
	longest, examples := 0, 0
	measure := func(group string, src []byte) {
		file, diags := hclsyntax.ParseConfig(src, "", hcl.InitialPos)
		if diags.HasErrors() {
			return // prose or shell in a code block, not configuration
		}
		n, _ := hcllimit.Nesting(src)
		deepest[group] = max(deepest[group], n)
		hclsyntax.VisitAll(file.Body.(*hclsyntax.Body), func(node hclsyntax.Node) hcl.Diagnostics {
			if a, ok := node.(*hclsyntax.Attribute); ok {
				longest = max(longest, a.Expr.Range().End.Byte-a.Expr.Range().Start.Byte)
			}
			return nil
		})
	}
	for _, p := range testCatalog(t).Providers() {
		for _, docs := range []map[string]*catalog.Doc{p.Docs.Resources, p.Docs.DataSources} {
			for _, d := range docs {
				for _, ex := range d.Examples {
					measure(p.Name, []byte(ex))
					examples++
				}
			}
		}
	}
	files, _ := filepath.Glob("testdata/import/*/*.tf")
	starters, _ := filepath.Glob("../starters/*/*.tf")
	for _, f := range append(files, starters...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		measure("CloudOven", data)
	}
	t.Logf("deepest nesting of %d documentation examples and %d files: %v; longest argument %d bytes", examples, len(files)+len(starters), deepest, longest)
	if examples < 1000 || len(starters) == 0 {
		t.Fatalf("measured only %d examples and %d starter files", examples, len(starters))
	}
	for group, n := range deepest {
		if n > hcllimit.MaxNesting/4 {
			t.Errorf("%s nests %d levels deep, more than a quarter of the limit %d", group, n, hcllimit.MaxNesting)
		}
	}
	if longest > hcllimit.MaxExpressionBytes/4 {
		t.Errorf("an argument is %d bytes long, more than a quarter of the limit %d", longest, hcllimit.MaxExpressionBytes)
	}
	docs, _ := filepath.Glob("testdata/generate/*.json")
	deepestDoc := 0
	for _, f := range docs {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		deepestDoc = max(deepestDoc, jsonDepth(t, data))
	}
	t.Logf("deepest of %d golden documents: %d levels of JSON", len(docs), deepestDoc)
	if deepestDoc > blueprint.MaxDocumentNesting/4 {
		t.Errorf("a golden document nests %d levels deep, more than a quarter of the limit %d", deepestDoc, blueprint.MaxDocumentNesting)
	}
}

func jsonDepth(t *testing.T, data []byte) int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	depth, deepest := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return deepest
		} else if err != nil {
			t.Fatal(err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			deepest = max(deepest, depth)
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}
