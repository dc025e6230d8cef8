package editor

import (
	"fmt"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/web/form"
)

// locate maps a diagnostic path to the editor item and the form key showing it.
func (es *editorSession) locate(path string, keys map[string]map[string]bool) (item, field string) {
	// resources[azurerm_resource_group.main].location: the bracket holds dots of its own.
	name, sub, rest := path, "", ""
	if open := strings.Index(path, "["); open >= 0 {
		if end := strings.Index(path[open:], "]"); end >= 0 {
			name, sub, rest = path[:open], path[open+1:open+end], strings.TrimPrefix(path[open+end+1:], ".")
		}
	} else {
		name, rest, _ = strings.Cut(path, ".")
	}
	switch name {
	case "resources", "data":
		addr := sub
		if name == "data" {
			addr = "data." + sub
		}
		r := es.bp.Resource(addr)
		if r == nil {
			return "", ""
		}
		ks, ok := keys[addr]
		if !ok {
			if t := es.cat.Lookup(kindOfResource(r), r.Type); t != nil && t.Schema != nil {
				ks = form.Build(t.Schema.Block, r.Config, form.Options{}).Keys()
			}
			keys[addr] = ks
		}
		// Config arguments first: "name" is both an argument and the resource's own name.
		if f := form.FieldFor(ks, rest); f != "" {
			return addr, f
		}
		meta, _, _ := strings.Cut(rest, ".")
		meta, _, _ = strings.Cut(meta, "[")
		if k, ok := form.MetaKey(meta); ok {
			return addr, k
		}
		return addr, ""
	case "variables":
		return itemVariables, rowField(form.VariablesTable, es.variableIndex(sub), rest)
	case "locals":
		return itemLocals, rowField(form.LocalsTable, es.localIndex(sub), rest)
	case "outputs":
		return itemOutputs, rowField(form.OutputsTable, es.outputIndex(sub), rest)
	case "files":
		return itemFiles, fileField(es, sub, rest)
	case "providers":
		var i int
		if _, err := fmt.Sscan(sub, &i); err != nil || i < 0 || i >= len(es.bp.Providers) {
			return itemSettings, ""
		}
		addr := es.bp.Providers[i].Address()
		ks, ok := keys["provider:"+addr]
		if !ok {
			if pt := providerSchema(es, es.bp.Providers[i].Name); pt != nil {
				ks = form.Build(pt, es.bp.Providers[i].Config, form.Options{}).Keys()
			}
			keys["provider:"+addr] = ks
		}
		return itemProvider + addr, form.FieldFor(ks, rest)
	case "modules":
		return es.locateModule(sub, rest)
	case "module_files":
		return itemModules, ""
	case "required_providers", "required_version", "name", "description":
		return itemSettings, ""
	}
	return "", ""
}

func kindOfResource(r *blueprint.Resource) catalog.Kind {
	if r.Mode == blueprint.DataMode {
		return catalog.KindDataSource
	}
	return catalog.KindResource
}

// rowField is the key of a row's field in the variables, locals and outputs tables:
// v[2].default.
func rowField(t form.Table, i int, rest string) string {
	if i < 0 {
		return ""
	}
	f, _, _ := strings.Cut(rest, ".")
	f, _, _ = strings.Cut(f, "[")
	if f == "" {
		f = "name"
	}
	return t.FieldKey(i, f)
}

// variableIndex finds a variable by the name or index a diagnostic path uses.
func (es *editorSession) variableIndex(sub string) int {
	return index(sub, len(es.bp.Variables), func(i int) string { return es.bp.Variables[i].Name })
}

func (es *editorSession) localIndex(sub string) int {
	return index(sub, len(es.bp.Locals), func(i int) string { return es.bp.Locals[i].Name })
}

func (es *editorSession) outputIndex(sub string) int {
	return index(sub, len(es.bp.Outputs), func(i int) string { return es.bp.Outputs[i].Name })
}

func index(sub string, n int, name func(int) string) int {
	for i := range n {
		if name(i) == sub {
			return i
		}
	}
	var i int
	if _, err := fmt.Sscan(sub, &i); err == nil && i >= 0 && i < n {
		return i
	}
	return -1
}
