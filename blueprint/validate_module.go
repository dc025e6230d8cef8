// Checking module calls, references to them, and the local modules' files.

package blueprint

import (
	"errors"
	"fmt"
	"path"
	"sort"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// moduleMeta are the arguments of a module block that are not the module's inputs.
var moduleMeta = map[string]bool{
	"source": true, "version": true, "count": true, "for_each": true, "providers": true,
	"depends_on": true, "lifecycle": true,
}

// declareModules records the module calls' names, reporting invalid and duplicate ones.
func (v *validator) declareModules() {
	v.modules = map[string]*ModuleCall{}
	for i := range v.b.Modules {
		m := &v.b.Modules[i]
		path := fmt.Sprintf("modules[%d]", i)
		if !checkName(&v.d, path+".name", "module", m.Name) {
			continue
		}
		if v.modules[m.Name] != nil {
			v.d.errorf(path+".name", fmt.Sprintf("duplicate module call %q", m.Name), "module call names must be unique; rename or remove one")
			continue
		}
		v.modules[m.Name] = m
	}
}

func (v *validator) checkModule(m *ModuleCall) {
	p := "modules[" + m.Name + "]"
	switch {
	case m.Source == "":
		v.d.errorf(p+".source", fmt.Sprintf("module %s has no source", m.Name), "give the folder of a local module (./modules/%s) or a registry address (NAMESPACE/NAME/PROVIDER, such as Azure/aks/azurerm)", m.Name)
	case IsLocalModuleSource(m.Source):
		dir, inside := moduleDir(".", m.Source)
		if !inside {
			v.d.warnf(p+".source", fmt.Sprintf("module folder %s is outside the blueprint", m.Source), "its files do not travel with the blueprint; terraform init will find the module only where the folder exists beside the generated files")
		} else if len(v.moduleDirs()[dir]) == 0 {
			v.d.warnf(p+".source", fmt.Sprintf("the blueprint carries no files of %s", m.Source), "import the module's folder with the configuration, or terraform init will not find the module")
		}
	}
	if m.Version != "" {
		if !IsRegistryModuleSource(m.Source) {
			v.d.errorf(p+".version", fmt.Sprintf("module %s has a version but its source is not a registry", m.Name), "terraform takes a version only for a module from a registry (NAMESPACE/NAME/PROVIDER); remove version, or pin a git source with ?ref= in the source")
		} else if _, err := goversion.NewConstraint(m.Version); err != nil {
			v.d.errorf(p+".version", fmt.Sprintf("invalid version constraint %q", m.Version), "write a constraint such as \"~> 7.0\"")
		}
	}
	if m.Count != nil && m.ForEach != nil {
		v.d.errorf(p+".for_each", "count and for_each together", "a module call takes one of them; remove the other")
	}
	for _, pr := range m.Providers {
		v.checkModuleProvider(p+".providers["+pr.Name+"]", pr)
	}
	for _, a := range m.Inputs.Attributes {
		if moduleMeta[a.Name] {
			v.d.errorf(p+"."+a.Name, fmt.Sprintf("%s is not a module input", a.Name), "it is an argument of the module call itself; set it on the call")
		}
	}
	for _, blk := range m.Inputs.Blocks {
		v.d.errorf(p+"."+blk.Type, fmt.Sprintf("a module call has no %s block", blk.Type), "module inputs are arguments: write %s = { ... }", blk.Type)
	}
	// The call's own count.index and each.key are in scope in its inputs, as in a resource's.
	scope := &Resource{Count: m.Count, ForEach: m.ForEach}
	v.checkBodyRefs(p, Body{Attributes: m.Inputs.Attributes}, scope)
	if m.Count != nil {
		v.checkValueRefs(p+".count", *m.Count, nil)
	}
	if m.ForEach != nil {
		v.checkValueRefs(p+".for_each", *m.ForEach, nil)
	}
	v.checkDependsOn(p+".depends_on", m.DependsOn)
}

func (v *validator) checkModuleProvider(p string, pr ModuleProvider) {
	if t, err := parseRef(pr.Name); err != nil || len(t) > 2 {
		v.d.errorf(p, fmt.Sprintf("invalid provider address %q", pr.Name), "name the module's provider as NAME or NAME.ALIAS, such as azurerm")
		return
	}
	t, err := parseRef(pr.Provider)
	if err != nil || len(t) > 2 {
		v.d.errorf(p, fmt.Sprintf("invalid provider address %q", pr.Provider), "pass one of this blueprint's provider configurations, such as azurerm or azurerm.west")
		return
	}
	if len(t) == 2 && !v.providers[pr.Provider] {
		v.d.errorf(p, fmt.Sprintf("no provider configuration %s", pr.Provider), "add a %s provider configuration with alias %q, or pass another one", t.RootName(), stepName(t[1]))
	}
}

// checkModuleRef checks a reference to a module call's output: module.NAME.OUTPUT, with an
// instance key when the call has count or for_each. The output is checked only when the
// blueprint carries the module's files; otherwise any name is accepted, since only the
// module knows its outputs.
func (v *validator) checkModuleRef(path string, t hcl.Traversal) {
	name := ""
	if len(t) > 1 {
		name = stepName(t[1])
	}
	if name == "" {
		v.d.errorf(path, fmt.Sprintf("%q is not a reference", traversalString(t)), "refer to a module call's output as module.NAME.OUTPUT")
		return
	}
	m := v.modules[name]
	if m == nil {
		v.d.errorf(path, fmt.Sprintf("reference to undeclared module module.%s", name), "add the module call to the blueprint, or fix the reference.%s", didYouMean(name, keys(v.modules)))
		return
	}
	rest := skipIndex(t[2:])
	if len(rest) == 0 {
		return
	}
	out := stepName(rest[0])
	outputs, known := v.moduleOutputs(m)
	if known && out != "" && !outputs[out] {
		v.d.errorf(path, fmt.Sprintf("module %s has no output %q", m.Name, out), "its files (%s) declare %s.%s", m.Source, listOrNone(keys(outputs)), didYouMean(out, keys(outputs)))
	}
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "no outputs"
	}
	sort.Strings(names)
	return fmt.Sprintf("the outputs %v", names)
}

// moduleIndex is the carried module files by folder, with what each folder declares, so
// that each file is parsed once per validation.
type moduleIndex struct {
	dirs    map[string][]*ModuleFile
	outputs map[string]map[string]bool // by folder; nil when unknown
	calls   map[string][]string        // by folder: the folders its module calls use
	parsed  map[string]bool
}

// moduleDirs indexes the carried module files by folder.
func (v *validator) moduleDirs() map[string][]*ModuleFile {
	return v.moduleIndex().dirs
}

func (v *validator) moduleIndex() *moduleIndex {
	if v.mods == nil {
		v.mods = newModuleIndex(v.b)
	}
	return v.mods
}

func newModuleIndex(b *Blueprint) *moduleIndex {
	return &moduleIndex{dirs: indexModuleFiles(b), outputs: map[string]map[string]bool{}, calls: map[string][]string{}, parsed: map[string]bool{}}
}

// folder parses the files of dir once: its outputs (nil when a file does not parse) and the
// folders its module calls use.
func (mi *moduleIndex) folder(dir string) (map[string]bool, []string) {
	if !mi.parsed[dir] {
		mi.parsed[dir] = true
		outputs := map[string]bool{}
		for _, mf := range mi.dirs[dir] {
			body, err := parseModuleFile(mf)
			if err != nil {
				outputs = nil
				continue
			}
			for _, blk := range body.Blocks {
				if blk.Type == "output" && len(blk.Labels) == 1 && outputs != nil {
					outputs[blk.Labels[0]] = true
				}
			}
			for _, source := range localSources(body) {
				if sub, ok := moduleDir(dir, source); ok {
					mi.calls[dir] = append(mi.calls[dir], sub)
				}
			}
		}
		mi.outputs[dir] = outputs
	}
	return mi.outputs[dir], mi.calls[dir]
}

func (v *validator) moduleOutputs(m *ModuleCall) (map[string]bool, bool) {
	return v.moduleIndex().moduleOutputs(m)
}

func indexModuleFiles(b *Blueprint) map[string][]*ModuleFile {
	out := map[string][]*ModuleFile{}
	for i := range b.ModuleFiles {
		mf := &b.ModuleFiles[i]
		out[path.Dir(mf.Path)] = append(out[path.Dir(mf.Path)], mf)
	}
	return out
}

// moduleOutputs lists the outputs a local module's carried files declare, and false when
// they are unknown (a registry module, a folder whose files the blueprint does not carry,
// a file that does not parse).
func (mi *moduleIndex) moduleOutputs(m *ModuleCall) (map[string]bool, bool) {
	if !IsLocalModuleSource(m.Source) {
		return nil, false
	}
	dir, ok := moduleDir(".", m.Source)
	if !ok || len(mi.dirs[dir]) == 0 {
		return nil, false
	}
	outputs, _ := mi.folder(dir)
	return outputs, outputs != nil
}

// parseModuleFile parses a carried file, held to hcllimit's limits first.
func parseModuleFile(mf *ModuleFile) (*hclsyntax.Body, error) {
	src := []byte(mf.Content)
	if err := hcllimit.Config(src, mf.Path); err != nil {
		return nil, err
	}
	f, diags := hclsyntax.ParseConfig(src, mf.Path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, errors.New(diagsText(diags))
	}
	return f.Body.(*hclsyntax.Body), nil
}

// checkModuleFiles checks the carried files: where they go, that each parses, and that a
// module call uses its folder.
func (v *validator) checkModuleFiles() {
	mi := v.moduleIndex()
	used := map[string]bool{}
	var queue []string
	for _, m := range v.b.Modules {
		if dir, ok := moduleDir(".", m.Source); ok && IsLocalModuleSource(m.Source) {
			queue = append(queue, dir)
		}
	}
	for len(queue) > 0 {
		dir := queue[0]
		queue = queue[1:]
		if used[dir] {
			continue
		}
		used[dir] = true
		_, calls := mi.folder(dir)
		queue = append(queue, calls...)
	}
	seen := map[string]bool{}
	for i := range v.b.ModuleFiles {
		mf := &v.b.ModuleFiles[i]
		p := fmt.Sprintf("module_files[%d]", i)
		switch {
		case !validModuleFilePath(mf.Path):
			v.d.errorf(p+".path", fmt.Sprintf("invalid module file path %q", mf.Path), "a module file is a .tf file in a folder of the blueprint, such as modules/net/main.tf: a relative path of plain names")
			continue
		case seen[mf.Path]:
			v.d.errorf(p+".path", fmt.Sprintf("duplicate module file %s", mf.Path), "give each file once")
			continue
		}
		seen[mf.Path] = true
		if _, err := parseModuleFile(mf); err != nil {
			v.d.errorf(p+".content", fmt.Sprintf("%s does not parse", mf.Path), "%v", err)
		}
		if !used[path.Dir(mf.Path)] {
			v.d.warnf(p+".path", fmt.Sprintf("no module call uses %s", path.Dir(mf.Path)), "the file is written with the blueprint but nothing calls it; remove it or add a module call with source = \"./%s\"", path.Dir(mf.Path))
		}
	}
}
