package blueprint

import (
	"fmt"
	"sort"
	"strings"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/cloudoven/cloudoven/catalog"
)

// reservedVariableNames are names Terraform keeps for itself.
var reservedVariableNames = map[string]bool{
	"source": true, "version": true, "providers": true, "count": true, "for_each": true,
	"lifecycle": true, "depends_on": true, "locals": true,
}

// metaArguments are written as fields of a resource, never inside its config.
var metaArguments = map[string]string{
	"count": "count", "for_each": "for_each", "provider": "provider", "depends_on": "depends_on",
	"lifecycle": "lifecycle", "provisioner": "", "connection": "", "dynamic": "",
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
	v.checkCycles()
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

func (v *validator) checkRequiredProviders() {
	for i, rp := range v.b.RequiredProviders {
		path := fmt.Sprintf("required_providers[%d]", i)
		if !checkName(&v.d, path+".name", "provider", rp.Name) {
			continue
		}
		if _, dup := v.required[rp.Name]; dup {
			v.d.errorf(path+".name", fmt.Sprintf("duplicate required provider %q", rp.Name), "list each provider once")
			continue
		}
		v.required[rp.Name] = rp
		if rp.Source == "" || strings.Count(rp.Source, "/") > 2 || strings.ContainsAny(rp.Source, " \t\"") {
			v.d.errorf(path+".source", fmt.Sprintf("invalid provider source %q", rp.Source), "write NAMESPACE/TYPE such as hashicorp/%s", rp.Name)
			continue
		}
		var constraint goversion.Constraints
		if rp.Version != "" {
			c, err := goversion.NewConstraint(rp.Version)
			if err != nil {
				v.d.errorf(path+".version", fmt.Sprintf("invalid version constraint %q", rp.Version), "write a constraint such as \"~> 5.2\"")
			}
			constraint = c
		}
		p := v.cat.Provider(rp.Source)
		if p == nil {
			v.d.warnf(path+".source", fmt.Sprintf("provider %s is not in the catalog", rp.Source), "its resources cannot be checked; crawl it to add it to the catalog")
			continue
		}
		if constraint != nil {
			if have, err := goversion.NewVersion(p.Version); err == nil && !constraint.Check(have) {
				v.d.warnf(path+".version", fmt.Sprintf("the catalog has %s %s, outside %q", rp.Name, p.Version, rp.Version), "validation used %s; crawl a version that matches or widen the constraint", p.Version)
			}
		}
	}
}

// providerFor resolves the catalog provider a resource type or provider config belongs to.
// It returns nil, after reporting why, when the provider cannot be checked.
func (v *validator) providerFor(localName, path string, report bool) *catalog.Provider {
	if localName == "terraform" {
		return v.cat.Provider(catalog.BuiltinSource)
	}
	rp, ok := v.required[localName]
	if !ok {
		if report {
			hint := fmt.Sprintf("add {\"name\": %q, \"source\": \"hashicorp/%s\"} to required_providers", localName, localName)
			if p := v.cat.Provider("hashicorp/" + localName); p != nil {
				hint = fmt.Sprintf("add {\"name\": %q, \"source\": \"hashicorp/%s\", \"version\": \"~> %s\"} to required_providers", localName, localName, majorMinor(p.Version))
			}
			v.d.errorf(path, fmt.Sprintf("provider %q is not in required_providers", localName), "%s", hint)
		}
		return nil
	}
	return v.cat.Provider(rp.Source)
}

func majorMinor(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return version
	}
	return parts[0] + "." + parts[1]
}

func (v *validator) checkProviderConfigs() {
	for i := range v.b.Providers {
		pc := &v.b.Providers[i]
		path := fmt.Sprintf("providers[%d]", i)
		if !checkName(&v.d, path+".name", "provider", pc.Name) {
			continue
		}
		if pc.Alias != "" && !checkName(&v.d, path+".alias", "provider alias", pc.Alias) {
			continue
		}
		addr := pc.Address()
		if v.providers[addr] {
			v.d.errorf(path, fmt.Sprintf("duplicate provider configuration %s", addr), "give the second one an alias")
			continue
		}
		v.providers[addr] = true
		p := v.providerFor(pc.Name, path+".name", true)
		v.checkBodyRefs(path, pc.Config, nil)
		if p == nil || p.Schema.ConfigSchema == nil || p.Schema.ConfigSchema.Block == nil {
			continue
		}
		v.checkBody(path, pc.Config, p.Schema.ConfigSchema.Block)
		for _, blk := range missingProviderBlocks(p.Source, pc.Config) {
			v.d.errorf(path+"."+blk, fmt.Sprintf("the %s provider needs a %s block", pc.Name, blk), "add an empty block: \"%s\": [{}]", blk)
		}
	}
	// azurerm cannot run without a configured provider; other providers work unconfigured.
	used := map[string]string{}
	for r := range v.b.AllResources() {
		name, _, _ := strings.Cut(r.Provider, ".")
		if name == "" {
			name = typePrefix(r.Type)
		}
		if _, ok := used[name]; !ok {
			used[name] = resourcePath(r)
		}
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		rp, ok := v.required[name]
		if !ok || v.providers[name] {
			continue
		}
		if blocks := requiredProviderBlocks(rp.Source); len(blocks) > 0 {
			v.d.errorf("providers", fmt.Sprintf("%s needs a provider configuration", name), "add {\"name\": %q, \"config\": {\"%s\": [{}]}} to providers (used by %s)", name, blocks[0], used[name])
		}
	}
}

func typePrefix(typ string) string {
	name, _, _ := strings.Cut(typ, "_")
	return name
}

func (v *validator) checkVariable(i int) {
	vr := &v.b.Variables[i]
	path := fmt.Sprintf("variables[%s]", vr.Name)
	if vr.Name == "" {
		path = fmt.Sprintf("variables[%d]", i)
	}
	ty := cty.DynamicPseudoType
	if vr.Type != "" {
		expr, err := parseExpr(vr.Type)
		if err != nil {
			v.d.errorf(path+".type", "invalid type constraint", "%s; write a type such as string, number, bool, list(string), map(string) or object({ name = string })", err)
		} else if t, _, diags := typeexpr.TypeConstraintWithDefaults(expr); diags.HasErrors() {
			v.d.errorf(path+".type", fmt.Sprintf("invalid type constraint %q", vr.Type), "%s; write a type such as string, number, bool, list(string), map(string) or object({ name = string })", diagsText(diags))
		} else {
			ty = t
		}
	}
	if vr.Default != nil {
		dpath := path + ".default"
		if trs, err := vr.Default.traversals(); err != nil {
			v.d.errorf(dpath, "the default does not parse", "%s", err)
		} else if len(trs) > 0 {
			v.d.errorf(dpath, "a default cannot refer to anything", "Terraform needs defaults known before anything is evaluated; use a literal value, or a local for computed values (found %s)", traversalString(trs[0]))
		} else if vr.Default.Kind == LiteralKind && !vr.Default.Literal.IsNull() {
			v.checkLiteral(dpath, vr.Default.Literal, ty)
		}
	}
	for j, val := range vr.Validations {
		vpath := fmt.Sprintf("%s.validations[%d]", path, j)
		expr, err := parseExpr(val.Condition)
		if err != nil {
			v.d.errorf(vpath+".condition", "the condition does not parse", "%s", err)
		} else {
			self := false
			for _, t := range expr.Variables() {
				root := t.RootName()
				if root == "var" && len(t) > 1 && stepName(t[1]) == vr.Name {
					self = true
					continue
				}
				v.d.errorf(vpath+".condition", fmt.Sprintf("a validation condition may only refer to var.%s", vr.Name), "Terraform 1.5 evaluates it before anything else exists; remove the reference to %s", traversalString(t))
			}
			if !self {
				v.d.errorf(vpath+".condition", fmt.Sprintf("the condition does not refer to var.%s", vr.Name), "a validation checks the variable's own value, e.g. length(var.%s) > 0", vr.Name)
			}
		}
		if strings.TrimSpace(val.ErrorMessage) == "" {
			v.d.errorf(vpath+".error_message", "missing error message", "say what is wrong and how to fix it, as a full sentence ending in a period")
		}
	}
}

func (v *validator) checkOutput(i int) {
	o := &v.b.Outputs[i]
	path := fmt.Sprintf("outputs[%s]", o.Name)
	if o.Value.IsZero() {
		v.d.errorf(path+".value", "missing value", "an output needs a value, usually a reference such as azurerm_kubernetes_cluster.aks.id")
		return
	}
	v.checkValueRefs(path+".value", o.Value, nil)
	v.checkDependsOn(path+".depends_on", o.DependsOn)
	if !o.Sensitive {
		for _, t := range v.refsOf(o.Value) {
			if v.isSensitiveRef(t) {
				v.d.errorf(path+".sensitive", fmt.Sprintf("output %s shows a sensitive value", o.Name), "set \"sensitive\": true; Terraform refuses to plan otherwise (%s is sensitive)", traversalString(t))
				break
			}
		}
	}
}

// isSensitiveRef reports whether a reference reads a sensitive variable or a sensitive
// attribute of a resource.
func (v *validator) isSensitiveRef(t hcl.Traversal) bool {
	return v.sensitiveRef(t, map[string]bool{})
}

// sensitiveRef follows locals, since a local built from a sensitive value is sensitive too.
func (v *validator) sensitiveRef(t hcl.Traversal, seen map[string]bool) bool {
	if t.RootName() == "var" && len(t) > 1 {
		vr := v.variables[stepName(t[1])]
		return vr != nil && vr.Sensitive
	}
	if t.RootName() == "local" && len(t) > 1 {
		name := stepName(t[1])
		l := v.locals[name]
		if l == nil || seen[name] {
			return false
		}
		seen[name] = true
		for _, inner := range v.refsOf(l.Value) {
			if v.sensitiveRef(inner, seen) {
				return true
			}
		}
		return false
	}
	r, rest := v.resourceOf(t)
	if r == nil || len(rest) == 0 {
		return false
	}
	typ := v.cat.Lookup(kindOf(r), r.Type)
	if typ == nil {
		return false
	}
	if a := typ.Schema.Block.Attributes[stepName(rest[0])]; a != nil {
		return a.Sensitive
	}
	return false
}

func kindOf(r *Resource) catalog.Kind {
	if r.Mode == DataMode {
		return catalog.KindDataSource
	}
	return catalog.KindResource
}

func (v *validator) checkResource(r *Resource) {
	if v.resources[r.Address()] != r {
		return // invalid or duplicate name, already reported
	}
	path := resourcePath(r)

	localName := typePrefix(r.Type)
	if r.Provider != "" {
		name, alias, _ := strings.Cut(r.Provider, ".")
		switch {
		case !validIdentifier(name) || alias != "" && !validIdentifier(alias):
			v.d.errorf(path+".provider", fmt.Sprintf("invalid provider reference %q", r.Provider), "write NAME or NAME.ALIAS, e.g. azurerm.secondary")
		case !v.providers[r.Provider] && alias != "":
			v.d.errorf(path+".provider", fmt.Sprintf("no provider configuration %s", r.Provider), "add a providers entry with name %q and alias %q", name, alias)
		}
		localName = name
	}
	p := v.providerFor(localName, path+".type", true)
	var typ *catalog.Type
	if p != nil {
		typ = v.cat.Lookup(kindOf(r), r.Type)
		if typ == nil || typ.Provider != p {
			what := "resource type"
			if r.Mode == DataMode {
				what = "data source"
			}
			v.d.errorf(path+".type", fmt.Sprintf("unknown %s %q", what, r.Type), "%s %s has no %s of that name.%s", p.Source, p.Version, what, didYouMean(r.Type, v.typeNames(kindOf(r), p)))
			typ = nil
		}
	}

	if r.Count != nil && r.ForEach != nil {
		v.d.errorf(path+".for_each", "count and for_each together", "a resource repeats by count or by for_each, not both; remove one")
	}
	if r.Count != nil {
		v.checkValueRefs(path+".count", *r.Count, r)
		if r.Count.Kind == LiteralKind {
			v.checkLiteral(path+".count", r.Count.Literal, cty.Number)
		}
	}
	if r.ForEach != nil {
		v.checkValueRefs(path+".for_each", *r.ForEach, r)
		if r.ForEach.Kind == LiteralKind {
			lt := r.ForEach.Literal.Type()
			if !(lt.IsObjectType() || lt.IsMapType() || lt.IsTupleType() && allStrings(r.ForEach.Literal)) {
				v.d.errorf(path+".for_each", "for_each needs a map or a set of strings", "write a map, or wrap a list of strings in toset(...) as an expression")
			} else if lt.IsTupleType() {
				v.d.errorf(path+".for_each", "for_each needs a map or a set of strings, not a list", "write it as an expression: toset([...])")
			}
		}
	}
	v.checkDependsOn(path+".depends_on", r.DependsOn)
	if lc := r.Lifecycle; lc != nil {
		for i, ic := range lc.IgnoreChanges {
			ipath := fmt.Sprintf("%s.lifecycle.ignore_changes[%d]", path, i)
			if ic == "all" {
				if len(lc.IgnoreChanges) > 1 {
					v.d.errorf(ipath, "\"all\" stands alone", "ignore_changes is either \"all\" or a list of attributes")
				}
				continue
			}
			t, err := parseRef(ic)
			if err != nil {
				v.d.errorf(ipath, "invalid attribute path", "%s", err)
				continue
			}
			if typ != nil && !hasAttrOrBlock(typ.Schema.Block, stepName(t[0])) {
				v.d.errorf(ipath, fmt.Sprintf("%s has no argument %q", r.Type, stepName(t[0])), "list arguments of this resource.%s", didYouMean(stepName(t[0]), argNames(typ.Schema.Block)))
			}
		}
		for i, ref := range lc.ReplaceTriggeredBy {
			v.checkValueRefs(fmt.Sprintf("%s.lifecycle.replace_triggered_by[%d]", path, i), Ref(ref), r)
		}
	}
	v.checkBodyRefs(path, r.Config, r)
	if typ != nil {
		v.checkBody(path, r.Config, typ.Schema.Block)
	}
}

func allStrings(v cty.Value) bool {
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.Type() != cty.String {
			return false
		}
	}
	return true
}

func hasAttrOrBlock(b *tfjson.SchemaBlock, name string) bool {
	_, a := b.Attributes[name]
	_, bl := b.NestedBlocks[name]
	return a || bl
}

func (v *validator) typeNames(kind catalog.Kind, p *catalog.Provider) []string {
	m := p.Schema.ResourceSchemas
	if kind == catalog.KindDataSource {
		m = p.Schema.DataSourceSchemas
	}
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	return out
}

func argNames(b *tfjson.SchemaBlock) []string {
	var out []string
	for n, a := range b.Attributes {
		if a.Required || a.Optional {
			out = append(out, n)
		}
	}
	for n := range b.NestedBlocks {
		out = append(out, n)
	}
	return out
}

// checkBody checks attributes and nested blocks against a schema block, recursively.
func (v *validator) checkBody(path string, body Body, schema *tfjson.SchemaBlock) {
	seen := map[string]bool{}
	// misspelt holds the arguments a did-you-mean already pointed at, so a typo of a required
	// argument is one error, not two.
	misspelt := map[string]bool{}
	for _, a := range body.Attributes {
		apath := path + "." + a.Name
		if !validIdentifier(a.Name) {
			continue // reported by checkBodyRefs
		}
		if seen[a.Name] {
			v.d.errorf(apath, fmt.Sprintf("argument %q is set twice", a.Name), "keep one of them")
			continue
		}
		seen[a.Name] = true
		sa, ok := schema.Attributes[a.Name]
		if !ok {
			switch {
			case schema.NestedBlocks[a.Name] != nil:
				v.d.errorf(apath, fmt.Sprintf("%q is a block, not an argument", a.Name), "write it as a nested block: \"%s\": [{ ... }]", a.Name)
			case metaArguments[a.Name] != "" || a.Name == "provisioner" || a.Name == "connection" || a.Name == "dynamic":
				v.d.errorf(apath, fmt.Sprintf("%q is a meta-argument, not part of config", a.Name), "set it on the resource itself (its %q field)%s", a.Name, unsupportedMeta(a.Name))
			default:
				hint := didYouMean(a.Name, argNames(schema))
				if s := closest(a.Name, argNames(schema)); s != "" {
					misspelt[s] = true
				}
				v.d.errorf(apath, fmt.Sprintf("unsupported argument %q", a.Name), "this block has no argument of that name.%s", hint)
			}
			continue
		}
		if sa.Computed && !sa.Optional && !sa.Required {
			v.d.errorf(apath, fmt.Sprintf("%q is computed by the provider and cannot be set", a.Name), "remove it; other resources can read it as a reference")
			continue
		}
		if sa.Deprecated {
			v.d.warnf(apath, fmt.Sprintf("%q is deprecated", a.Name), "the provider will remove it; see the provider docs for its replacement")
		}
		v.checkAttrValue(apath, a.Value, attrType(sa), sa.Required)
	}
	names := make([]string, 0, len(schema.Attributes))
	for n := range schema.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if schema.Attributes[n].Required && !seen[n] && !misspelt[n] {
			v.d.errorf(path+"."+n, fmt.Sprintf("missing required argument %q", n), "set %s", n)
		}
	}

	counts := map[string]int{}
	for _, blk := range body.Blocks {
		bpath := fmt.Sprintf("%s.%s[%d]", path, blk.Type, counts[blk.Type])
		counts[blk.Type]++
		if !validIdentifier(blk.Type) {
			continue // reported by checkBodyRefs
		}
		bt, ok := schema.NestedBlocks[blk.Type]
		if !ok {
			sa := schema.Attributes[blk.Type]
			switch {
			case sa != nil && objectListType(attrType(sa)) != cty.NilType:
				// Terraform accepts block syntax for a list of objects ("attributes as
				// blocks"), as azurerm's security_rule and route are written in its docs.
				v.checkObjectBlock(bpath, blk.Body, objectListType(attrType(sa)))
			case sa != nil:
				v.d.errorf(bpath, fmt.Sprintf("%q is an argument, not a block", blk.Type), "set it as a value: \"%s\": {\"literal\": ...}", blk.Type)
			case metaArguments[blk.Type] != "" || blk.Type == "provisioner" || blk.Type == "connection" || blk.Type == "dynamic":
				v.d.errorf(bpath, fmt.Sprintf("%q is a meta-argument, not part of config", blk.Type), "set it on the resource itself (its %q field)%s", blk.Type, unsupportedMeta(blk.Type))
			default:
				if s := closest(blk.Type, argNames(schema)); s != "" {
					misspelt[s] = true
				}
				v.d.errorf(bpath, fmt.Sprintf("unsupported block %q", blk.Type), "this block has no nested block of that name.%s", didYouMean(blk.Type, argNames(schema)))
			}
			continue
		}
		if bt.NestingMode == tfjson.SchemaNestingModeMap {
			v.d.errorf(bpath, fmt.Sprintf("block %q takes a label, which blueprints cannot express yet", blk.Type), "write this resource in raw Terraform for now")
			continue
		}
		if bt.Block != nil {
			v.checkBody(bpath, blk.Body, bt.Block)
		}
	}
	btypes := make([]string, 0, len(schema.NestedBlocks))
	for n := range schema.NestedBlocks {
		btypes = append(btypes, n)
	}
	sort.Strings(btypes)
	for _, n := range btypes {
		bt := schema.NestedBlocks[n]
		got := counts[n]
		maxItems := bt.MaxItems
		if bt.NestingMode == tfjson.SchemaNestingModeSingle || bt.NestingMode == tfjson.SchemaNestingModeGroup {
			maxItems = 1
		}
		switch {
		case got == 0 && (misspelt[n] || seen[n]):
			// already reported as a misspelling or as a value given for this block
		case got < int(bt.MinItems) && got == 0:
			v.d.errorf(path+"."+n, fmt.Sprintf("missing required block %q", n), "add a %s block: \"%s\": [{ ... }]", n, n)
		case got < int(bt.MinItems):
			v.d.errorf(path+"."+n, fmt.Sprintf("too few %q blocks", n), "at least %d are needed, %d given", bt.MinItems, got)
		case maxItems > 0 && got > int(maxItems):
			v.d.errorf(fmt.Sprintf("%s.%s[%d]", path, n, maxItems), fmt.Sprintf("too many %q blocks", n), "at most %d allowed, %d given; remove the extra ones", maxItems, got)
		}
	}
}

// objectListType is the object type of a list or set of objects, or cty.NilType.
func objectListType(ty cty.Type) cty.Type {
	if (ty.IsListType() || ty.IsSetType()) && ty.ElementType().IsObjectType() {
		return ty.ElementType()
	}
	return cty.NilType
}

// checkObjectBlock checks a block written for a list-of-objects attribute: its arguments
// against the object's attributes, nested blocks against nested lists of objects.
func (v *validator) checkObjectBlock(path string, body Body, obj cty.Type) {
	given := map[string]bool{}
	for _, a := range body.Attributes {
		given[a.Name] = true
		if !obj.HasAttribute(a.Name) {
			v.d.errorf(path+"."+a.Name, fmt.Sprintf("unsupported argument %q", a.Name), "this block has %s.%s", strings.Join(objectAttrNames(obj), ", "), didYouMean(a.Name, objectAttrNames(obj)))
			continue
		}
		v.checkAttrValue(path+"."+a.Name, a.Value, obj.AttributeType(a.Name), false)
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		bpath := fmt.Sprintf("%s.%s[%d]", path, blk.Type, counts[blk.Type])
		counts[blk.Type]++
		given[blk.Type] = true
		if !obj.HasAttribute(blk.Type) || objectListType(obj.AttributeType(blk.Type)) == cty.NilType {
			v.d.errorf(bpath, fmt.Sprintf("unsupported block %q", blk.Type), "this block has %s", strings.Join(objectAttrNames(obj), ", "))
			continue
		}
		v.checkObjectBlock(bpath, blk.Body, objectListType(obj.AttributeType(blk.Type)))
	}
	// SDKv2 providers describe these objects with every attribute present; Terraform fills
	// the ones a block leaves out with null, so nothing is missing here.
}

func unsupportedMeta(name string) string {
	switch name {
	case "provisioner", "connection":
		return "; provisioners are not supported in blueprints"
	case "dynamic":
		return "; dynamic blocks are not supported in blueprints yet"
	}
	return ""
}

// attrType is an attribute's value type, nested attribute types included.
func attrType(a *tfjson.SchemaAttribute) cty.Type {
	if a.AttributeNestedType == nil {
		if a.AttributeType == cty.NilType {
			return cty.DynamicPseudoType
		}
		return a.AttributeType
	}
	nt := a.AttributeNestedType
	attrs := map[string]cty.Type{}
	var optional []string
	for n, na := range nt.Attributes {
		attrs[n] = attrType(na)
		if !na.Required {
			optional = append(optional, n)
		}
	}
	obj := cty.ObjectWithOptionalAttrs(attrs, optional)
	switch nt.NestingMode {
	case tfjson.SchemaNestingModeList:
		return cty.List(obj)
	case tfjson.SchemaNestingModeSet:
		return cty.Set(obj)
	case tfjson.SchemaNestingModeMap:
		return cty.Map(obj)
	}
	return obj
}

// checkAttrValue checks the shape of a value against the attribute's type: literals are
// checked strictly (a number where a string is needed is a mistake in a form, even though
// Terraform would convert it); lists and maps are checked element by element.
func (v *validator) checkAttrValue(path string, val Value, ty cty.Type, required bool) {
	switch val.Kind {
	case LiteralKind:
		if val.Literal.IsNull() {
			if required {
				v.d.errorf(path, "a required argument cannot be null", "give it a value")
			}
			return
		}
		v.checkLiteral(path, val.Literal, ty)
	case ListKind:
		var elem cty.Type
		switch {
		case ty == cty.DynamicPseudoType:
			elem = cty.DynamicPseudoType
		case ty.IsListType() || ty.IsSetType():
			elem = ty.ElementType()
		case ty.IsTupleType():
			types := ty.TupleElementTypes()
			if len(types) != len(val.List) {
				v.d.errorf(path, fmt.Sprintf("expected %d items, got %d", len(types), len(val.List)), "give exactly %d items", len(types))
				return
			}
			for i, item := range val.List {
				v.checkAttrValue(fmt.Sprintf("%s[%d]", path, i), item, types[i], false)
			}
			return
		default:
			v.d.errorf(path, fmt.Sprintf("expected %s, got a list", friendly(ty)), "give one value, not a list")
			return
		}
		for i, item := range val.List {
			v.checkAttrValue(fmt.Sprintf("%s[%d]", path, i), item, elem, false)
		}
	case MapKind:
		switch {
		case ty == cty.DynamicPseudoType:
			for _, k := range val.SortedKeys() {
				v.checkAttrValue(fmt.Sprintf("%s[%q]", path, k), val.Map[k], cty.DynamicPseudoType, false)
			}
		case ty.IsMapType():
			for _, k := range val.SortedKeys() {
				v.checkAttrValue(fmt.Sprintf("%s[%q]", path, k), val.Map[k], ty.ElementType(), false)
			}
		case ty.IsObjectType():
			for _, k := range val.SortedKeys() {
				if !ty.HasAttribute(k) {
					v.d.errorf(fmt.Sprintf("%s[%q]", path, k), fmt.Sprintf("unexpected attribute %q", k), "this object has %s", strings.Join(objectAttrNames(ty), ", "))
					continue
				}
				v.checkAttrValue(fmt.Sprintf("%s[%q]", path, k), val.Map[k], ty.AttributeType(k), false)
			}
			for _, k := range objectAttrNames(ty) {
				if _, ok := val.Map[k]; !ok && !ty.AttributeOptional(k) {
					v.d.errorf(path, fmt.Sprintf("missing attribute %q", k), "add %s; this object requires %s", k, strings.Join(requiredAttrNames(ty), ", "))
				}
			}
		default:
			v.d.errorf(path, fmt.Sprintf("expected %s, got a map", friendly(ty)), "give one value of that type, not a map")
		}
	case ReferenceKind, ExpressionKind:
		// Checked for syntax and targets by checkValueRefs; the type is known only at plan.
	default:
		v.d.errorf(path, "missing value", "give a literal, a reference or an expression")
	}
}

func requiredAttrNames(ty cty.Type) []string {
	var names []string
	for _, n := range objectAttrNames(ty) {
		if !ty.AttributeOptional(n) {
			names = append(names, n)
		}
	}
	return names
}

func objectAttrNames(ty cty.Type) []string {
	var names []string
	for n := range ty.AttributeTypes() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// checkLiteral checks a literal strictly against a type.
func (v *validator) checkLiteral(path string, lit cty.Value, ty cty.Type) {
	if lit.IsNull() || ty == cty.DynamicPseudoType {
		return
	}
	lt := lit.Type()
	fail := func() {
		v.d.errorf(path, fmt.Sprintf("expected %s, got %s", friendly(ty), describeLiteral(lit)), "%s", literalHint(ty))
	}
	switch {
	case ty.IsPrimitiveType():
		if !lt.Equals(ty) {
			fail()
		}
	case ty.IsListType() || ty.IsSetType():
		if !(lt.IsTupleType() || lt.IsListType() || lt.IsSetType()) {
			fail()
			return
		}
		i := 0
		for it := lit.ElementIterator(); it.Next(); i++ {
			_, e := it.Element()
			v.checkLiteral(fmt.Sprintf("%s[%d]", path, i), e, ty.ElementType())
		}
	case ty.IsTupleType():
		if !lt.IsTupleType() || lit.LengthInt() != len(ty.TupleElementTypes()) {
			fail()
			return
		}
		for i, et := range ty.TupleElementTypes() {
			v.checkLiteral(fmt.Sprintf("%s[%d]", path, i), lit.Index(cty.NumberIntVal(int64(i))), et)
		}
	case ty.IsMapType():
		if !(lt.IsObjectType() || lt.IsMapType()) {
			fail()
			return
		}
		for it := lit.ElementIterator(); it.Next(); {
			k, e := it.Element()
			v.checkLiteral(fmt.Sprintf("%s[%q]", path, k.AsString()), e, ty.ElementType())
		}
	case ty.IsObjectType():
		if !(lt.IsObjectType() || lt.IsMapType()) {
			fail()
			return
		}
		given := map[string]bool{}
		for it := lit.ElementIterator(); it.Next(); {
			k, e := it.Element()
			given[k.AsString()] = true
			if !ty.HasAttribute(k.AsString()) {
				v.d.errorf(fmt.Sprintf("%s[%q]", path, k.AsString()), fmt.Sprintf("unexpected attribute %q", k.AsString()), "this object has %s", strings.Join(objectAttrNames(ty), ", "))
				continue
			}
			v.checkLiteral(fmt.Sprintf("%s[%q]", path, k.AsString()), e, ty.AttributeType(k.AsString()))
		}
		for _, n := range objectAttrNames(ty) {
			if !given[n] && !ty.AttributeOptional(n) {
				v.d.errorf(path, fmt.Sprintf("missing attribute %q", n), "add %s; this object requires %s", n, strings.Join(requiredAttrNames(ty), ", "))
			}
		}
	default:
		if _, err := convert.Convert(lit, ty); err != nil {
			fail()
		}
	}
}

func friendly(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "a string"
	case ty == cty.Number:
		return "a number"
	case ty == cty.Bool:
		return "a bool"
	case ty == cty.DynamicPseudoType:
		return "any value"
	}
	return typeexpr.TypeString(ty)
}

func describeLiteral(v cty.Value) string {
	t := v.Type()
	switch {
	case t == cty.String:
		return fmt.Sprintf("the string %q", v.AsString())
	case t == cty.Number:
		return "the number " + v.AsBigFloat().Text('f', -1)
	case t == cty.Bool:
		return fmt.Sprintf("the bool %t", v.True())
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		return "a list"
	case t.IsObjectType() || t.IsMapType():
		return "a map"
	}
	return t.FriendlyName()
}

func literalHint(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "write the value as a JSON string, in quotes"
	case ty == cty.Number:
		return "write a number without quotes"
	case ty == cty.Bool:
		return "write true or false without quotes"
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		return "write a JSON array"
	case ty.IsMapType() || ty.IsObjectType():
		return "write a JSON object"
	}
	return "give a value of type " + typeexpr.TypeString(ty)
}

// checkBodyRefs checks the references of every value in a body and its nested blocks.
func (v *validator) checkBodyRefs(path string, body Body, in *Resource) {
	for _, a := range body.Attributes {
		if !validIdentifier(a.Name) {
			v.d.errorf(path+"."+a.Name, fmt.Sprintf("invalid argument name %q", a.Name), "argument names are identifiers such as resource_group_name")
			continue
		}
		v.checkValueRefs(path+"."+a.Name, a.Value, in)
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		if !validIdentifier(blk.Type) {
			v.d.errorf(path+"."+blk.Type, fmt.Sprintf("invalid block type %q", blk.Type), "block types are identifiers such as default_node_pool")
			continue
		}
		v.checkBodyRefs(fmt.Sprintf("%s.%s[%d]", path, blk.Type, counts[blk.Type]), blk.Body, in)
		counts[blk.Type]++
	}
}

func (v *validator) refsOf(val Value) []hcl.Traversal {
	trs, _ := val.traversals()
	return trs
}

// checkValueRefs checks that a value parses and that everything it refers to exists. in is
// the resource the value belongs to (for count.index and each.key), or nil.
func (v *validator) checkValueRefs(path string, val Value, in *Resource) {
	if val.IsZero() {
		v.d.errorf(path, "missing value", "give a literal, a reference or an expression")
		return
	}
	switch val.Kind {
	case ListKind:
		for i, item := range val.List {
			v.checkValueRefs(fmt.Sprintf("%s[%d]", path, i), item, in)
		}
		return
	case MapKind:
		for _, k := range val.SortedKeys() {
			v.checkValueRefs(fmt.Sprintf("%s[%q]", path, k), val.Map[k], in)
		}
		return
	}
	trs, err := val.traversals()
	if err != nil {
		if val.Kind == ReferenceKind {
			v.d.errorf(path, "invalid reference", "%s; write a reference such as var.name, local.name or azurerm_resource_group.main.name, or use an expression", err)
		} else {
			v.d.errorf(path, "the expression does not parse", "%s", err)
		}
		return
	}
	for _, t := range trs {
		v.checkTraversal(path, t, in)
	}
}

func (v *validator) checkDependsOn(path string, refs []string) {
	for i, ref := range refs {
		p := fmt.Sprintf("%s[%d]", path, i)
		t, err := parseRef(ref)
		if err != nil {
			v.d.errorf(p, "invalid reference", "%s", err)
			continue
		}
		r, rest := v.resourceOf(t)
		if r == nil {
			v.checkTraversal(p, t, nil)
			if root := t.RootName(); root == "var" || root == "local" {
				v.d.errorf(p, "depends_on lists resources and data sources", "remove %s; a dependency on a value follows from using it", ref)
			}
			continue
		}
		if len(rest) > 0 {
			v.d.errorf(p, "depends_on takes a whole resource", "write %s without the attribute", r.Address())
		}
	}
}

// resourceOf finds the resource or data source a traversal starts with, and the steps after it.
func (v *validator) resourceOf(t hcl.Traversal) (*Resource, hcl.Traversal) {
	if len(t) < 2 {
		return nil, nil
	}
	root := t.RootName()
	if root == "data" {
		if len(t) < 3 {
			return nil, nil
		}
		r := v.resources["data."+stepName(t[1])+"."+stepName(t[2])]
		if r == nil {
			return nil, nil
		}
		return r, skipIndex(t[3:])
	}
	r := v.resources[root+"."+stepName(t[1])]
	if r == nil {
		return nil, nil
	}
	return r, skipIndex(t[2:])
}

func skipIndex(t hcl.Traversal) hcl.Traversal {
	for len(t) > 0 && stepName(t[0]) == "" {
		t = t[1:]
	}
	return t
}

func (v *validator) checkTraversal(path string, t hcl.Traversal, in *Resource) {
	ref := traversalString(t)
	root := t.RootName()
	attr := ""
	if len(t) > 1 {
		attr = stepName(t[1])
	}
	switch root {
	case "var":
		if v.variables[attr] == nil {
			v.d.errorf(path, fmt.Sprintf("reference to undeclared variable var.%s", attr), "declare it under variables, or fix the name.%s", didYouMean(attr, keys(v.variables)))
		}
	case "local":
		if v.locals[attr] == nil {
			v.d.errorf(path, fmt.Sprintf("reference to undeclared local local.%s", attr), "declare it under locals, or fix the name.%s", didYouMean(attr, keys(v.locals)))
		}
	case "count":
		if in == nil || in.Count == nil || attr != "index" {
			v.d.errorf(path, fmt.Sprintf("%s is only available in a resource with count", ref), "set count on this resource, or remove the reference")
		}
	case "each":
		if in == nil || in.ForEach == nil || attr != "key" && attr != "value" {
			v.d.errorf(path, fmt.Sprintf("%s is only available in a resource with for_each", ref), "set for_each on this resource, or remove the reference")
		}
	case "path":
		if attr != "module" && attr != "root" && attr != "cwd" {
			v.d.errorf(path, fmt.Sprintf("unknown %s", ref), "use path.module, path.root or path.cwd")
		}
	case "terraform":
		if attr != "workspace" {
			v.d.errorf(path, fmt.Sprintf("unknown %s", ref), "use terraform.workspace")
		}
	case "self":
		v.d.errorf(path, "self is only available in provisioners", "refer to the resource by its address")
	case "module":
		v.d.errorf(path, "blueprints do not call modules", "refer to resources, data sources, variables or locals")
	default:
		r, rest := v.resourceOf(t)
		if r == nil {
			what := "resource"
			addr := root + "." + attr
			var cands []string
			for a, res := range v.resources {
				if (root == "data") == (res.Mode == DataMode) {
					cands = append(cands, a)
				}
			}
			if root == "data" {
				what = "data source"
				if len(t) > 2 {
					addr = "data." + attr + "." + stepName(t[2])
				}
			}
			if len(t) < 2 || attr == "" {
				v.d.errorf(path, fmt.Sprintf("%q is not a reference", ref), "a reference names a variable (var.x), a local (local.x), a resource (TYPE.NAME) or a data source (data.TYPE.NAME)")
				return
			}
			v.d.errorf(path, fmt.Sprintf("reference to undeclared %s %s", what, addr), "add the %s to the blueprint, or fix the reference.%s", what, didYouMean(addr, cands))
			return
		}
		if in != nil && r == in {
			v.d.errorf(path, fmt.Sprintf("%s refers to itself", r.Address()), "a resource cannot read its own attributes; use a variable or local")
			return
		}
		if len(rest) == 0 {
			return
		}
		typ := v.cat.Lookup(kindOf(r), r.Type)
		if typ == nil {
			return
		}
		name := stepName(rest[0])
		if name != "" && !hasAttrOrBlock(typ.Schema.Block, name) {
			var cands []string
			for n := range typ.Schema.Block.Attributes {
				cands = append(cands, n)
			}
			for n := range typ.Schema.Block.NestedBlocks {
				cands = append(cands, n)
			}
			v.d.errorf(path, fmt.Sprintf("%s has no attribute %q", r.Type, name), "fix the reference %s.%s", ref, didYouMean(name, cands))
		}
	}
}

func keys[M ~map[string]V, V any](m M) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
