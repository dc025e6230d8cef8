package blueprint

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// SourceMap says where each line of the generated files came from in the blueprint: the
// diagnostic path of the innermost thing written on it (resources[azurerm_kubernetes_cluster.aks].default_node_pool[0].vm_size,
// variables[location].default, providers[0].features[0], outputs[id].value), and the local
// name of the provider whose block it is in. It is how a diagnostic that terraform reports
// at a file and line (terraform validate, a plan) is put on the blueprint's field, under
// the very paths Validate uses.
//
// It is built by parsing the generated files again and walking their bodies, not by
// recording lines while generating: the walk sees exactly what terraform will read.
type SourceMap struct {
	files map[string][]SourceLine // by file name; index 0 is line 1
}

// SourceLine is where one generated line came from.
type SourceLine struct {
	// Path is the diagnostic path; "" for a line that belongs to the blueprint as a whole
	// (the header comment, the terraform block, a backend).
	Path string
	// Provider is the local name of the provider of the resource, data source, provider
	// configuration or required_providers entry the line is in; "" elsewhere.
	Provider string
}

// MapSource parses files, as Generate wrote them for b, and maps their lines. Files that are
// not Terraform (the files the configuration reads) are not mapped; a local module's files
// map every line to the module file.
func MapSource(b *Blueprint, files []File) (*SourceMap, error) {
	m := &SourceMap{files: map[string][]SourceLine{}}
	moduleFile := map[string]int{}
	for i, mf := range b.ModuleFiles {
		moduleFile[mf.Path] = i
	}
	for _, f := range files {
		if i, ok := moduleFile[f.Name]; ok {
			lines := make([]SourceLine, strings.Count(string(f.Content), "\n")+1)
			for j := range lines {
				lines[j].Path = fmt.Sprintf("module_files[%d]", i)
			}
			m.files[f.Name] = lines
			continue
		}
		switch f.Name {
		case "main.tf", "variables.tf", "outputs.tf":
		default:
			continue
		}
		if err := hcllimit.Config(f.Content, f.Name); err != nil {
			return nil, fmt.Errorf("mapping %s: %w", f.Name, err)
		}
		file, diags := hclsyntax.ParseConfig(f.Content, f.Name, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, fmt.Errorf("mapping %s: %w", f.Name, diags)
		}
		w := &sourceWalker{b: b, lines: make([]SourceLine, strings.Count(string(f.Content), "\n")+1)}
		w.top(file.Body.(*hclsyntax.Body))
		m.files[f.Name] = w.lines
	}
	return m, nil
}

// At says where line (from 1) of file came from; false when the file is not mapped or has
// no such line.
func (m *SourceMap) At(file string, line int) (SourceLine, bool) {
	lines, ok := m.files[file]
	if !ok || line < 1 || line > len(lines) {
		return SourceLine{}, false
	}
	return lines[line-1], true
}

type sourceWalker struct {
	b     *Blueprint
	lines []SourceLine
}

// mark gives every line of rng to path; what is inside it is marked after, and wins.
func (w *sourceWalker) mark(rng hcl.Range, path, provider string) {
	for l := rng.Start.Line; l <= rng.End.Line && l <= len(w.lines); l++ {
		if l >= 1 {
			w.lines[l-1] = SourceLine{Path: path, Provider: provider}
		}
	}
}

func (w *sourceWalker) top(body *hclsyntax.Body) {
	for _, blk := range body.Blocks {
		switch {
		case blk.Type == "terraform":
			w.terraform(blk.Body)
		case blk.Type == "provider" && len(blk.Labels) == 1:
			i := w.providerIndex(blk)
			if i < 0 {
				continue
			}
			path := fmt.Sprintf("providers[%d]", i)
			w.mark(blk.Range(), path, blk.Labels[0])
			w.body(blk.Body, path, blk.Labels[0])
		case (blk.Type == "resource" || blk.Type == "data") && len(blk.Labels) == 2:
			r := w.b.Resource(blk.Labels[0] + "." + blk.Labels[1])
			if blk.Type == "data" {
				r = w.b.Resource("data." + blk.Labels[0] + "." + blk.Labels[1])
			}
			if r == nil {
				continue
			}
			path, provider := resourcePath(r), resourceProvider(r)
			w.mark(blk.Range(), path, provider)
			w.resourceBody(blk.Body, path, provider)
		case blk.Type == "locals":
			for _, a := range blk.Body.Attributes {
				w.mark(a.SrcRange, "locals["+a.Name+"].value", "")
			}
		case blk.Type == "module" && len(blk.Labels) == 1:
			path := "modules[" + blk.Labels[0] + "]"
			w.mark(blk.Range(), path, "")
			w.body(blk.Body, path, "")
		case blk.Type == "variable" && len(blk.Labels) == 1:
			path := "variables[" + blk.Labels[0] + "]"
			w.mark(blk.Range(), path, "")
			for _, a := range blk.Body.Attributes {
				w.mark(a.SrcRange, path+"."+a.Name, "")
			}
			j := 0
			for _, vb := range blk.Body.Blocks {
				if vb.Type != "validation" {
					continue
				}
				w.mark(vb.Range(), fmt.Sprintf("%s.validations[%d]", path, j), "")
				w.body(vb.Body, fmt.Sprintf("%s.validations[%d]", path, j), "")
				j++
			}
		case blk.Type == "output" && len(blk.Labels) == 1:
			path := "outputs[" + blk.Labels[0] + "]"
			w.mark(blk.Range(), path, "")
			w.body(blk.Body, path, "")
		}
	}
}

// terraform maps required_version and each required_providers entry; the block itself and
// its backend belong to the blueprint as a whole.
func (w *sourceWalker) terraform(body *hclsyntax.Body) {
	for _, a := range body.Attributes {
		if a.Name == "required_version" {
			w.mark(a.SrcRange, "required_version", "")
		}
	}
	for _, blk := range body.Blocks {
		if blk.Type != "required_providers" {
			continue
		}
		for _, a := range blk.Body.Attributes {
			for i, rp := range w.b.RequiredProviders {
				if rp.Name == a.Name {
					w.mark(a.SrcRange, fmt.Sprintf("required_providers[%d]", i), a.Name)
					break
				}
			}
		}
	}
}

// providerIndex finds the provider configuration a provider block was written from, by
// its name and alias; -1 when there is none.
func (w *sourceWalker) providerIndex(blk *hclsyntax.Block) int {
	alias := ""
	if a := blk.Body.Attributes["alias"]; a != nil {
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			alias = v.AsString()
		}
	}
	for i, pc := range w.b.Providers {
		if pc.Name == blk.Labels[0] && pc.Alias == alias {
			return i
		}
	}
	return -1
}

// resourceBody is body, except that lifecycle has no index: Validate's paths say
// resources[x.y].lifecycle.ignore_changes[0], there being at most one.
func (w *sourceWalker) resourceBody(body *hclsyntax.Body, path, provider string) {
	for _, a := range body.Attributes {
		w.mark(a.SrcRange, path+"."+a.Name, provider)
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		if blk.Type == "lifecycle" {
			w.mark(blk.Range(), path+".lifecycle", provider)
			w.body(blk.Body, path+".lifecycle", provider)
			continue
		}
		w.block(blk, path, provider, counts)
	}
}

// body maps attributes to path.NAME and nested blocks to path.TYPE[k], k counting the
// blocks of one type, as Validate does.
func (w *sourceWalker) body(body *hclsyntax.Body, path, provider string) {
	for _, a := range body.Attributes {
		w.mark(a.SrcRange, path+"."+a.Name, provider)
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		w.block(blk, path, provider, counts)
	}
}

func (w *sourceWalker) block(blk *hclsyntax.Block, path, provider string, counts map[string]int) {
	bpath := fmt.Sprintf("%s.%s[%d]", path, blk.Type, counts[blk.Type])
	counts[blk.Type]++
	w.mark(blk.Range(), bpath, provider)
	w.body(blk.Body, bpath, provider)
}

// resourceProvider is the local name of the provider a resource uses: its provider
// argument's, else its type's prefix.
func resourceProvider(r *Resource) string {
	if r.Provider != "" {
		name, _, _ := strings.Cut(r.Provider, ".")
		return name
	}
	return typePrefix(r.Type)
}
