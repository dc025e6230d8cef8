package editor

import (
	"fmt"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// previewable is a copy of b that Generate can write while the author is halfway through
// an expression: every value that cannot be written yet (an expression that does not parse,
// a malformed reference) becomes null. It returns how many were replaced; b is not changed.
func previewable(b *blueprint.Blueprint) (*blueprint.Blueprint, int, error) {
	doc, err := b.MarshalDocument()
	if err != nil {
		return nil, 0, err
	}
	c, err := blueprint.ParseDocument(doc)
	if err != nil {
		return nil, 0, err
	}
	n := 0
	fix := func(v *blueprint.Value) {
		if v == nil || v.IsZero() {
			return
		}
		if _, err := blueprint.FormatValue(*v); err != nil {
			*v = blueprint.Null()
			n++
		}
	}
	var body func(*blueprint.Body)
	body = func(bd *blueprint.Body) {
		for i := range bd.Attributes {
			fix(&bd.Attributes[i].Value)
		}
		for i := range bd.Blocks {
			body(&bd.Blocks[i].Body)
		}
	}
	for r := range c.AllResources() {
		fix(r.Count)
		fix(r.ForEach)
		body(&r.Config)
	}
	for i := range c.Providers {
		body(&c.Providers[i].Config)
	}
	for i := range c.Variables {
		fix(c.Variables[i].Default)
	}
	for i := range c.Locals {
		fix(&c.Locals[i].Value)
	}
	for i := range c.Outputs {
		fix(&c.Outputs[i].Value)
	}
	fixModules(c, fix)
	return c, n, nil
}

// editorPreviewView is the right-hand column: generated files and every diagnostic.
type editorPreviewView struct {
	Files       []components.File
	Problem     string // why no files could be generated
	Diagnostics []editorDiagnostic
	Errors      int
	Warnings    int
	// Findings are the project's guardrails this draft does not keep (package policy).
	Findings     []editorDiagnostic
	RulesProblem string
	// ProviderCheck is the providers' check this answer brings; nil when none ran.
	ProviderCheck *providerCheckView
}

// preview generates the draft's files and places each diagnostic on its item and field.
func (s *Handlers) preview(es *editorSession, diags blueprint.Diagnostics) editorPreviewView {
	var pv editorPreviewView
	files, err := blueprint.Generate(writableFiles(es.bp), blueprint.GenerateOptions{})
	if err != nil {
		// Half-typed expressions should not blank the preview: show it with them as null.
		pv.Problem = page.Capitalize(err.Error())
		if c, n, cerr := previewable(writableFiles(es.bp)); cerr == nil && n > 0 {
			if files, err = blueprint.Generate(c, blueprint.GenerateOptions{}); err == nil {
				pv.Problem = fmt.Sprintf("%d %s cannot be written yet (see the errors above); the preview shows %s as null.",
					n, page.Plural(n, "value", "values"), page.Plural(n, "it", "them"))
			}
		}
	}
	diags = append(diags, blueprint.MissingFiles(es.bp, files)...)
	for _, f := range files {
		if f.Name == "terraform.tfvars" {
			continue
		}
		pv.Files = append(pv.Files, components.NewFile(f.Name, f.Content))
	}
	keys := map[string]map[string]bool{} // form keys by item, built once per item
	for _, d := range diags {
		ed := editorDiagnostic{Diagnostic: components.Diagnostics(blueprint.Diagnostics{d})[0]}
		ed.Item, ed.Field = es.locate(d.Path, keys)
		if ed.Item != "" {
			ed.URL = paths.EditItem(es.project, es.name, ed.Item)
		}
		if d.Severity == blueprint.Error {
			pv.Errors++
		} else {
			pv.Warnings++
		}
		pv.Diagnostics = append(pv.Diagnostics, ed)
	}
	return pv
}
