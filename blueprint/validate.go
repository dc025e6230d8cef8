package blueprint

import (
	"fmt"
	"strings"

	goversion "github.com/hashicorp/go-version"

	"github.com/cloudoven/cloudoven/catalog"
)

// reservedVariableNames are names Terraform keeps for itself.
var reservedVariableNames = map[string]bool{
	"source": true, "version": true, "providers": true, "count": true, "for_each": true,
	"lifecycle": true, "depends_on": true, "locals": true,
}

// Validate checks a blueprint against the catalog: names, providers, types, arguments and
// blocks, literal types, references and cycles. It never stops at the first problem, and
// every diagnostic names its path and says how to fix it.
func Validate(b *Blueprint, cat *catalog.Catalog) Diagnostics {
	v := newValidator(b, cat)
	v.run()
	return v.d.list
}

type validator struct {
	b   *Blueprint
	cat *catalog.Catalog
	d   diags

	variables map[string]*Variable
	locals    map[string]*Local
	resources map[string]*Resource // by address, data sources as data.TYPE.NAME
	required  map[string]RequiredProvider
	providers map[string]bool // provider config addresses: azurerm, azurerm.west
	modules   map[string]*ModuleCall
	// mods indexes the blueprint's ModuleFiles and what they declare (validate_module.go).
	mods *moduleIndex
}

func newValidator(b *Blueprint, cat *catalog.Catalog) *validator {
	return &validator{
		b: b, cat: cat,
		variables: map[string]*Variable{},
		locals:    map[string]*Local{},
		resources: map[string]*Resource{},
		required:  map[string]RequiredProvider{},
		providers: map[string]bool{},
	}
}

func (v *validator) run() {
	if v.b.Name != "" && !validIdentifier(v.b.Name) && !validSlug(v.b.Name) {
		v.d.errorf("name", fmt.Sprintf("invalid blueprint name %q", v.b.Name), "use lowercase letters, digits, '-' and '_', starting with a letter or digit, e.g. %q", suggestIdentifier(strings.ToLower(v.b.Name)))
	}
	if v.b.RequiredVersion != "" {
		if _, err := goversion.NewConstraint(v.b.RequiredVersion); err != nil {
			v.d.errorf("required_version", fmt.Sprintf("invalid version constraint %q", v.b.RequiredVersion), "write a constraint such as \">= 1.5.0\"")
		}
	}
	v.declare()
	v.declareModules()
	v.checkRequiredProviders()
	v.checkProviderConfigs()
	for i := range v.b.Variables {
		v.checkVariable(i)
	}
	for i := range v.b.Locals {
		l := &v.b.Locals[i]
		v.checkValueRefs(fmt.Sprintf("locals[%s]", l.Name), l.Value, nil)
	}
	for r := range v.b.AllResources() {
		v.checkResource(r)
	}
	for i := range v.b.Outputs {
		v.checkOutput(i)
	}
	for i := range v.b.Modules {
		if m := &v.b.Modules[i]; v.modules[m.Name] == m {
			v.checkModule(m)
		}
	}
	v.checkModuleFiles()
	v.checkCycles()
	v.checkFiles()
}

func validSlug(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || (i > 0 && (r == '-' || r == '_'))
		if !ok {
			return false
		}
	}
	return true
}

// declare records every name, reporting invalid and duplicate ones.
func (v *validator) declare() {
	for i := range v.b.Variables {
		vr := &v.b.Variables[i]
		path := fmt.Sprintf("variables[%d]", i)
		if !checkName(&v.d, path+".name", "variable", vr.Name) {
			continue
		}
		if reservedVariableNames[vr.Name] {
			v.d.errorf(path+".name", fmt.Sprintf("%q is reserved and cannot name a variable", vr.Name), "choose another name, e.g. %q", vr.Name+"_value")
			continue
		}
		if v.variables[vr.Name] != nil {
			v.d.errorf(path+".name", fmt.Sprintf("duplicate variable %q", vr.Name), "variable names must be unique; rename or remove one")
			continue
		}
		v.variables[vr.Name] = vr
	}
	for i := range v.b.Locals {
		l := &v.b.Locals[i]
		path := fmt.Sprintf("locals[%d]", i)
		if !checkName(&v.d, path+".name", "local", l.Name) {
			continue
		}
		if v.locals[l.Name] != nil {
			v.d.errorf(path+".name", fmt.Sprintf("duplicate local %q", l.Name), "local names must be unique; rename or remove one")
			continue
		}
		v.locals[l.Name] = l
	}
	for _, list := range []struct {
		name string
		rs   []Resource
	}{{"data", v.b.Data}, {"resources", v.b.Resources}} {
		for i := range list.rs {
			r := &list.rs[i]
			path := fmt.Sprintf("%s[%d]", list.name, i)
			okType := true
			if r.Type == "" || !validIdentifier(r.Type) {
				v.d.errorf(path+".type", fmt.Sprintf("invalid type %q", r.Type), "a type is a provider prefix and a name, e.g. azurerm_resource_group")
				okType = false
			}
			if !checkName(&v.d, path+".name", "resource", r.Name) || !okType {
				continue
			}
			addr := r.Address()
			if v.resources[addr] != nil {
				v.d.errorf(path+".name", fmt.Sprintf("duplicate %s", addr), "each %s needs its own name; rename one of them", r.Type)
				continue
			}
			v.resources[addr] = r
		}
	}
	outputs := map[string]bool{}
	for i, o := range v.b.Outputs {
		path := fmt.Sprintf("outputs[%d]", i)
		if !checkName(&v.d, path+".name", "output", o.Name) {
			continue
		}
		if outputs[o.Name] {
			v.d.errorf(path+".name", fmt.Sprintf("duplicate output %q", o.Name), "output names must be unique; rename or remove one")
		}
		outputs[o.Name] = true
	}
}

func resourcePath(r *Resource) string {
	if r.Mode == DataMode {
		return "data[" + r.Type + "." + r.Name + "]"
	}
	return "resources[" + r.Type + "." + r.Name + "]"
}
