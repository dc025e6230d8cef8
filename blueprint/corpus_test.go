package blueprint_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/corpus"
)

// Floors of the corpus measurement (TestDocExamplesImportAndRegenerate), just under what was
// measured, so that a change that makes import refuse more of the providers' own examples,
// or regenerate them less faithfully, fails.
const (
	floorImportedAccepted = 0.995 // imported with no error, of the complete examples Terraform accepts
	floorImportedComplete = 0.895 // imported with no error, of the complete examples
	floorImportedAll      = 0.820 // imported with no error, of every example
	floorFaithful         = 0.995 // regenerated faithfully, of those imported
)

// exampleClass sorts an example by what Terraform itself would make of it, without asking
// CloudOven.
type exampleClass string

const (
	// classComplete: a configuration terraform validate judges on its own.
	classComplete exampleClass = "complete"
	// classNotHCL: prose, a shell command or a fragment in a code block (text that does not
	// parse, or arguments outside any block); Terraform refuses it.
	classNotHCL exampleClass = "not a configuration"
	// classIncomplete: refers to a resource, data source, variable, local or module the
	// example does not declare, which terraform validate refuses ("Reference to undeclared
	// resource").
	classIncomplete exampleClass = "incomplete"
	// classModuleOrFile: calls a module or reads a file (file, templatefile, filebase64),
	// parts of the issue others build; counted apart until they are merged.
	classModuleOrFile exampleClass = "module or file()"
)

// corpusResult is what became of one example.
type corpusResult struct {
	ex       corpus.Example
	class    exampleClass
	firstErr string   // the first error of import and validation, if any
	reasons  []string // the kinds of every error, each once
	aloneErr string   // the first error terraform validate would not report, if any
	leftOut  int      // parts the web import would ask to import anyway
	unfaith  string   // the first difference after regeneration, if any
}

// importAsTheWebDoes is the import path users take: Import, then Complete with the catalog,
// then Validate; a configuration Import could not read is not validated. leftOut is what the
// web import would ask to "import anyway" for: Import's warnings.
func importAsTheWebDoes(src []byte, cat *catalog.Catalog) (b *blueprint.Blueprint, diags, leftOut blueprint.Diagnostics) {
	b, diags = blueprint.Import(map[string][]byte{"main.tf": src})
	if diags.HasErrors() {
		return b, diags, nil
	}
	leftOut = diags.WithoutNotes()
	b.Name = "example"
	diags = append(diags, blueprint.Complete(b, cat)...)
	return b, append(diags, blueprint.Validate(b, cat)...), leftOut
}

// TestDocExamplesImportAndRegenerate measures import on every example configuration of the
// catalog's doc pages (internal/corpus): the share imported with no error (Import, Complete
// and Validate, as the web import runs them), and of those the share whose regeneration has
// the same resources, data sources, providers, variables, locals and outputs, with the same
// arguments, nested blocks and values. Complete examples that CloudOven refuses are split by
// whether every error is one terraform validate reports too (the docs of a type removed or
// changed since the example was written), or some error is CloudOven's alone: the rate that
// must stay at the top is the share of the examples Terraform accepts. It logs the figures
// per provider and the commonest errors, and fails when a rate falls under its floor.
func TestDocExamplesImportAndRegenerate(t *testing.T) {
	t.Parallel()
	cat := testCatalog(t)
	type tally struct{ total, imported, faithful int }
	byProvider := map[string]map[exampleClass]*tally{}
	classes := map[exampleClass]*tally{}
	reasons := map[exampleClass]map[string]int{}
	var alone, asTerraform, unfaithful []corpusResult
	anyway := map[exampleClass]int{} // imported, but held for "import anyway"
	for _, ex := range corpus.Examples(cat) {
		r := measureExample(ex, cat)
		for _, m := range []map[exampleClass]*tally{classes, providerTally(byProvider, r.ex.Provider)} {
			tl := m[r.class]
			if tl == nil {
				tl = &tally{}
				m[r.class] = tl
			}
			tl.total++
			if r.firstErr == "" {
				tl.imported++
				if r.unfaith == "" {
					tl.faithful++
				}
			}
		}
		if r.firstErr == "" && r.leftOut > 0 {
			anyway[r.class]++
		}
		switch {
		case r.firstErr == "" && r.unfaith != "":
			unfaithful = append(unfaithful, r)
		case r.firstErr == "":
		default:
			if reasons[r.class] == nil {
				reasons[r.class] = map[string]int{}
			}
			for _, k := range r.reasons {
				reasons[r.class][k]++
			}
			if r.class == classComplete && r.aloneErr != "" {
				alone = append(alone, r)
			} else if r.class == classComplete {
				asTerraform = append(asTerraform, r)
			}
		}
	}

	order := []exampleClass{classComplete, classIncomplete, classModuleOrFile, classNotHCL}
	var all tally
	for _, p := range sortedKeys(byProvider) {
		var line []string
		var sum tally
		for _, c := range order {
			if tl := byProvider[p][c]; tl != nil {
				line = append(line, fmt.Sprintf("%s %d/%d/%d", c, tl.total, tl.imported, tl.faithful))
				sum.total, sum.imported, sum.faithful = sum.total+tl.total, sum.imported+tl.imported, sum.faithful+tl.faithful
			}
		}
		t.Logf("%-10s all %d/%d/%d; %s (examples/imported/faithful)", p, sum.total, sum.imported, sum.faithful, strings.Join(line, "; "))
	}
	for _, c := range order {
		if tl := classes[c]; tl != nil {
			all.total, all.imported, all.faithful = all.total+tl.total, all.imported+tl.imported, all.faithful+tl.faithful
			t.Logf("%s: %d examples, %d imported with no error (%.1f%%), %d regenerated faithfully (%.1f%% of imported); %d of the imported leave a part out (the web asks to import anyway)",
				c, tl.total, tl.imported, pct(tl.imported, tl.total), tl.faithful, pct(tl.faithful, tl.imported), anyway[c])
		}
	}
	complete := classes[classComplete]
	if complete == nil {
		t.Fatal("no complete example in the corpus")
	}
	t.Logf("all: %d examples, %d imported with no error (%.1f%%), %d regenerated faithfully (%.1f%% of imported)",
		all.total, all.imported, pct(all.imported, all.total), all.faithful, pct(all.faithful, all.imported))
	accepted := complete.total - len(asTerraform)
	t.Logf("complete examples refused for errors terraform validate reports too: %d; refused for an error of CloudOven's alone: %d; "+
		"imported of the %d complete examples Terraform accepts: %d (%.1f%%)",
		len(asTerraform), len(alone), accepted, complete.imported, pct(complete.imported, accepted))
	for _, c := range order {
		for i, kv := range sortedCounts(reasons[c]) {
			if i == 12 {
				break
			}
			t.Logf("refused (%s): %4d examples have an error %q", c, kv.n, kv.reason)
		}
	}
	logFirst(t, "refused by CloudOven alone", alone, func(r corpusResult) string { return r.aloneErr })
	logFirst(t, "refused as terraform validate would", asTerraform, func(r corpusResult) string { return r.firstErr })
	logFirst(t, "regenerated unfaithfully", unfaithful, func(r corpusResult) string { return r.unfaith })

	check := func(what string, got, of int, floor float64) {
		if of == 0 || float64(got)/float64(of) < floor {
			t.Errorf("%s: %d of %d (%.1f%%), under the floor of %.1f%%", what, got, of, pct(got, of), floor*100)
		}
	}
	check("complete examples Terraform accepts, imported with no error", complete.imported, accepted, floorImportedAccepted)
	check("complete examples imported with no error", complete.imported, complete.total, floorImportedComplete)
	check("examples imported with no error", all.imported, all.total, floorImportedAll)
	check("imported examples regenerated faithfully", all.faithful, all.imported, floorFaithful)
}

// logFirst lists the first few results by name, so that a regression is easy to read.
func logFirst(t *testing.T, what string, rs []corpusResult, detail func(corpusResult) string) {
	t.Helper()
	for i, r := range rs {
		if i == 10 {
			t.Logf("%s: ... and %d more", what, len(rs)-i)
			return
		}
		t.Logf("%s: %s: %s", what, r.ex.Name(), detail(r))
	}
}

func providerTally[T any](m map[string]map[exampleClass]*T, p string) map[exampleClass]*T {
	if m[p] == nil {
		m[p] = map[exampleClass]*T{}
	}
	return m[p]
}

func pct(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type reasonCount struct {
	reason string
	n      int
}

func sortedCounts(m map[string]int) []reasonCount {
	out := make([]reasonCount, 0, len(m))
	for r, n := range m {
		out = append(out, reasonCount{r, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].n != out[j].n {
			return out[i].n > out[j].n
		}
		return out[i].reason < out[j].reason
	})
	return out
}

// reasonOf is an error's summary with its names left out, so that errors of one kind count
// together: `reference to undeclared resource azurerm_resource_group.example` counts as
// `reference to undeclared resource …`.
func reasonOf(diag string) string {
	_, summary, _ := strings.Cut(diag, ": ")   // drop the severity
	_, summary, _ = strings.Cut(summary, ": ") // drop the path
	summary, _, _ = strings.Cut(summary, ": ") // drop the detail
	words := strings.Fields(summary)
	for i, w := range words {
		if strings.ContainsAny(w, "_.\"0123456789") {
			words[i] = "…"
		}
	}
	return strings.Join(words, " ")
}

// terraformErrors are the summaries of CloudOven errors that terraform validate reports
// too, in its own words: a configuration with only these is refused by Terraform as well
// (mostly doc examples older than the provider's schema: an argument renamed or removed, a
// resource type retired).
var terraformErrors = []string{
	"unsupported argument ",         // Unsupported argument
	"unsupported block ",            // Unsupported block type
	"missing required argument ",    // Missing required argument
	"missing required block ",       // Insufficient ... blocks
	"too few ",                      // Insufficient ... blocks
	"too many ",                     // Too many ... blocks
	"unknown resource type ",        // Invalid resource type
	"unknown data source ",          // Invalid data source
	" has no attribute ",            // Unsupported attribute
	"reference to undeclared ",      // Reference to undeclared resource, input variable, local value
	"duplicate declaration",         // Duplicate resource configuration
	"expected ",                     // Incorrect attribute value type (what no conversion makes fit)
	" is an argument, not a block",  // Unsupported block type
	" is a block, not an argument",  // Unsupported argument
	" is computed by the provider ", // Invalid or unknown key / Value for unconfigurable attribute
	"syntax error",                  // the parser's own errors
}

func terraformReportsToo(d blueprint.Diagnostic) bool {
	// A rule of the docs is a check the real provider makes in terraform validate; the
	// findings on the docs' own examples are each read and listed in rules_corpus_test.go
	// (docsExamplesFindings), which fails on any other.
	if strings.HasPrefix(d.Detail, blueprint.DocsDetailPrefix) {
		return true
	}
	for _, s := range terraformErrors {
		if strings.Contains(d.Summary, s) || strings.HasPrefix(d.Summary, strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

func measureExample(ex corpus.Example, cat *catalog.Catalog) corpusResult {
	r := corpusResult{ex: ex, class: classify([]byte(ex.Source))}
	b, diags, leftOut := importAsTheWebDoes([]byte(ex.Source), cat)
	r.leftOut = len(leftOut)
	if errs := diags.Errors(); len(errs) > 0 {
		r.firstErr = errs[0].String()
		seen := map[string]bool{}
		for _, e := range errs {
			if r.aloneErr == "" && !terraformReportsToo(e) {
				r.aloneErr = e.String()
			}
			if k := reasonOf(e.String()); !seen[k] {
				seen[k] = true
				r.reasons = append(r.reasons, k)
			}
		}
		return r
	}
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		r.firstErr = "generating: " + err.Error()
		return r
	}
	var gen []byte
	for _, f := range files {
		gen = append(gen, f.Content...)
		gen = append(gen, '\n')
	}
	r.unfaith = compareConfigs([]byte(ex.Source), gen)
	return r
}

// classify judges an example as Terraform would, from its text alone.
func classify(src []byte) exampleClass {
	f, diags := hclsyntax.ParseConfig(src, "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return classNotHCL
	}
	body := f.Body.(*hclsyntax.Body)
	if len(body.Attributes) > 0 {
		return classNotHCL // set = [...]: one argument of a block, shown alone
	}
	declared := map[string]bool{}
	for _, blk := range body.Blocks {
		switch {
		case blk.Type == "resource" && len(blk.Labels) == 2:
			declared[blk.Labels[0]+"."+blk.Labels[1]] = true
		case blk.Type == "data" && len(blk.Labels) == 2:
			declared["data."+blk.Labels[0]+"."+blk.Labels[1]] = true
		case blk.Type == "variable" && len(blk.Labels) == 1:
			declared["var."+blk.Labels[0]] = true
		case blk.Type == "module" && len(blk.Labels) == 1:
			declared["module."+blk.Labels[0]] = true
		case blk.Type == "locals":
			for name := range blk.Body.Attributes {
				declared["local."+name] = true
			}
		}
	}
	class := classComplete
	iterators := map[string]bool{}
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		switch n := n.(type) {
		case *hclsyntax.Block:
			if n.Type == "module" {
				class = classModuleOrFile
			}
			if n.Type == "dynamic" && len(n.Labels) == 1 {
				iterators[n.Labels[0]] = true
				if it := n.Body.Attributes["iterator"]; it != nil {
					iterators[hcl.ExprAsKeyword(it.Expr)] = true
				}
			}
		case *hclsyntax.ForExpr:
			iterators[n.KeyVar], iterators[n.ValVar] = true, true
		case *hclsyntax.FunctionCallExpr:
			switch strings.TrimPrefix(n.Name, "core::") {
			case "file", "templatefile", "filebase64", "filemd5", "filesha1", "filesha256", "filesha512", "filebase64sha256", "filebase64sha512", "fileexists", "fileset":
				class = classModuleOrFile
			}
		}
		return nil
	})
	if class != classComplete {
		return class
	}
	hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics {
		e, ok := n.(hclsyntax.Expression)
		if !ok {
			return nil
		}
		for _, tr := range e.Variables() {
			if addr, ok := declarable(tr); ok && !declared[addr] && !iterators[tr.RootName()] {
				class = classIncomplete
			}
		}
		return nil
	})
	return class
}

// declarable is the address a traversal needs declared (var.x, local.x, TYPE.NAME,
// data.TYPE.NAME, module.NAME), or false for what needs none (count, each, path, self, a
// dynamic block's iterator and the like).
func declarable(tr hcl.Traversal) (string, bool) {
	name := func(i int) string {
		if i >= len(tr) {
			return ""
		}
		if a, ok := tr[i].(hcl.TraverseAttr); ok {
			return a.Name
		}
		return ""
	}
	root := tr.RootName()
	switch root {
	case "count", "each", "path", "self", "terraform":
		return "", false
	case "var", "local", "module":
		return root + "." + name(1), true
	case "data":
		return "data." + name(1) + "." + name(2), true
	}
	if strings.Contains(root, "_") && name(1) != "" {
		return root + "." + name(1), true
	}
	return "", false // an iterator of a for expression or dynamic block
}
