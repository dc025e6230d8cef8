package blueprint

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// modules writes the module calls after the resources, in the author's order: source and
// version first, then count or for_each and providers, the inputs, and depends_on last,
// the layout terraform's style guide gives module blocks.
func (g generator) modules(body *hclwrite.Body) error {
	for i := range g.b.Modules {
		m := &g.b.Modules[i]
		body.AppendNewline()
		if err := writeModule(body, m); err != nil {
			return fmt.Errorf("module %s: %w", m.Name, err)
		}
	}
	return nil
}

func writeModule(body *hclwrite.Body, m *ModuleCall) error {
	if err := checkIdent("module name", m.Name); err != nil {
		return err
	}
	mb := body.AppendNewBlock("module", []string{m.Name}).Body()
	mb.SetAttributeValue("source", cty.StringVal(m.Source))
	if m.Version != "" {
		mb.SetAttributeValue("version", cty.StringVal(m.Version))
	}
	if m.Count != nil {
		if err := setValue(mb, "count", *m.Count); err != nil {
			return fmt.Errorf("count: %w", err)
		}
	}
	if m.ForEach != nil {
		if err := setValue(mb, "for_each", *m.ForEach); err != nil {
			return fmt.Errorf("for_each: %w", err)
		}
	}
	if len(m.Providers) > 0 {
		t, err := moduleProvidersTokens(m.Providers)
		if err != nil {
			return fmt.Errorf("providers: %w", err)
		}
		mb.SetAttributeRaw("providers", t)
	}
	if len(m.Inputs.Blocks) > 0 {
		return fmt.Errorf("a module call takes arguments only, not a %s block", m.Inputs.Blocks[0].Type)
	}
	if len(m.Inputs.Attributes) > 0 {
		mb.AppendNewline()
		if err := writeBody(mb, m.Inputs); err != nil {
			return err
		}
	}
	if len(m.DependsOn) > 0 {
		t, err := traversalListTokens(m.DependsOn)
		if len(m.DependsOn) > 1 && err == nil {
			t, err = multiLineTraversals(m.DependsOn)
		}
		if err != nil {
			return fmt.Errorf("depends_on: %w", err)
		}
		mb.AppendNewline()
		mb.SetAttributeRaw("depends_on", t)
	}
	return nil
}

// moduleProvidersTokens writes the providers map one entry a line, in the author's order.
func moduleProvidersTokens(ps []ModuleProvider) (hclwrite.Tokens, error) {
	out := hclwrite.Tokens{
		{Type: hclsyntax.TokenOBrace, Bytes: []byte("{")},
		{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")},
	}
	for _, p := range ps {
		k, err := traversalTokens(p.Name)
		if err != nil {
			return nil, err
		}
		v, err := traversalTokens(p.Provider)
		if err != nil {
			return nil, err
		}
		out = append(out, k...)
		out = append(out, &hclwrite.Token{Type: hclsyntax.TokenEqual, Bytes: []byte("=")})
		out = append(out, v...)
		out = append(out, &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
	}
	return append(out, &hclwrite.Token{Type: hclsyntax.TokenCBrace, Bytes: []byte("}")}), nil
}

// withModuleFiles appends the local modules' files to the generated ones.
func withModuleFiles(files []File, b *Blueprint) ([]File, error) {
	mods, err := moduleFiles(b)
	if err != nil {
		return nil, err
	}
	return append(files, mods...), nil
}

// moduleFiles are the local modules' files as the blueprint carries them, by path.
func moduleFiles(b *Blueprint) ([]File, error) {
	out := make([]File, 0, len(b.ModuleFiles))
	for _, mf := range b.ModuleFiles {
		if !validModuleFilePath(mf.Path) {
			return nil, fmt.Errorf("module file %q: not a .tf file in a folder of the configuration", mf.Path)
		}
		out = append(out, File{Name: mf.Path, Content: []byte(mf.Content)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	for i := 1; i < len(out); i++ {
		if out[i].Name == out[i-1].Name {
			return nil, fmt.Errorf("module file %q is given twice", out[i].Name)
		}
	}
	return out, nil
}
