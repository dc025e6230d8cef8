package editor

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/page"
)

// itemModules is the editor item of the blueprint's module calls. A graph node module.NAME
// opens it too.
const itemModules = "modules"

// modulesEditor shows the module calls: each input is edited as an HCL expression and a call
// can be renamed; the rest of a call (source, version, count, for_each, providers,
// depends_on) and the local modules' files are shown as kept, and edited in the blueprint
// document or by importing again.
type modulesEditor struct {
	Calls    []moduleRow
	Files    []string // the local modules' files the blueprint carries
	Problems fieldProblems
}

type moduleRow struct {
	NameKey               string // the name's input, which Rename reads
	Name, Source, Version string
	Registry              bool
	Count, ForEach        string
	Providers             []string // azurerm = azurerm.west
	DependsOn             []string
	Inputs                []moduleInput
}

type moduleInput struct {
	Key, Name, Value string
}

// moduleInputKey is the form key of input name of the i-th module call.
func moduleInputKey(i int, name string) string { return fmt.Sprintf("module.%d.%s", i, name) }

// moduleNameKey is the form key of the i-th module call's name: "@" cannot start an input's
// name, so it never meets an input's key.
func moduleNameKey(i int) string { return fmt.Sprintf("module.%d.@name", i) }

func modulesView(es *editorSession, problems fieldProblems) *modulesEditor {
	me := &modulesEditor{Problems: problems}
	for i, m := range es.bp.Modules {
		row := moduleRow{NameKey: moduleNameKey(i), Name: m.Name, Source: m.Source, Version: m.Version, Registry: blueprint.IsRegistryModuleSource(m.Source),
			Count: formatOr(m.Count), ForEach: formatOr(m.ForEach), DependsOn: m.DependsOn}
		for _, p := range m.Providers {
			row.Providers = append(row.Providers, p.Name+" = "+p.Provider)
		}
		for _, a := range m.Inputs.Attributes {
			v := a.Value
			row.Inputs = append(row.Inputs, moduleInput{Key: moduleInputKey(i, a.Name), Name: a.Name, Value: formatOr(&v)})
		}
		me.Calls = append(me.Calls, row)
	}
	for _, f := range es.bp.ModuleFiles {
		me.Files = append(me.Files, f.Path)
	}
	return me
}

// applyModules writes the posted inputs back; an input the form does not carry keeps its
// value, so nothing of a call is ever lost on save. Rename renames each call whose name
// input changed, and every reference to it follows (blueprint.RenameModule).
func applyModules(es *editorSession, values url.Values, op form.Op) editOutcome {
	ed := editOutcome{item: itemModules}
	for i := range es.bp.Modules {
		attrs := es.bp.Modules[i].Inputs.Attributes
		for j := range attrs {
			if k := moduleInputKey(i, attrs[j].Name); values.Has(k) {
				attrs[j].Value = rowValue(values.Get(k))
			}
		}
	}
	if op.Kind != form.OpRename {
		return ed
	}
	for i := range es.bp.Modules {
		from := es.bp.Modules[i].Name
		to := strings.TrimSpace(values.Get(moduleNameKey(i)))
		if !values.Has(moduleNameKey(i)) || to == from {
			continue
		}
		if _, err := blueprint.RenameModule(es.bp, from, to); err != nil {
			ed.problem = strings.TrimSuffix(page.Capitalize(strings.TrimPrefix(err.Error(), "renaming module "+from+": ")), ".") + "."
			return ed
		}
	}
	return ed
}

// locateModule maps a diagnostic of a module call (modules[net].vnet_id) to its input.
func (es *editorSession) locateModule(sub, rest string) (item, field string) {
	name, _, _ := strings.Cut(rest, ".")
	name, _, _ = strings.Cut(name, "[")
	for i, m := range es.bp.Modules {
		if m.Name == sub && m.Inputs.Attribute(name) != nil {
			return itemModules, moduleInputKey(i, name)
		}
	}
	return itemModules, ""
}

// fixModules nulls the module inputs, count and for_each that cannot be written yet, for
// previewable.
func fixModules(c *blueprint.Blueprint, fix func(*blueprint.Value)) {
	for i := range c.Modules {
		m := &c.Modules[i]
		fix(m.Count)
		fix(m.ForEach)
		for j := range m.Inputs.Attributes {
			fix(&m.Inputs.Attributes[j].Value)
		}
	}
}
