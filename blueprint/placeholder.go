package blueprint

import (
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// placeholderGUID stands in for ids that are GUIDs in Azure: tenants, subscriptions,
// applications, principals and objects.
const placeholderGUID = "00000000-0000-0000-0000-000000000000"

// NewResource starts a resource or data source of type t, ready to edit: its name is "main",
// or "main2", "main3"… when taken reports the address as used, and its config sets every
// required argument to a placeholder of the right type and adds every required nested block,
// recursively, so that Validate finds nothing missing. The result is deterministic.
func NewResource(t *catalog.Type, taken func(addr string) bool) Resource {
	r := Resource{Mode: ManagedMode, Type: t.Name}
	if t.Kind == catalog.KindDataSource {
		r.Mode = DataMode
	}
	r.Name = "main"
	for i := 2; taken != nil && taken(r.Address()); i++ {
		r.Name = "main" + strconv.Itoa(i)
	}
	if t.Schema != nil && t.Schema.Block != nil {
		r.Config = placeholderBody(t.Schema.Block, t, "")
	}
	return r
}

// TypeExample is what the first doc example of t that writes t writes, in order
// (ExampleOrder); nil for a type without docs.
func TypeExample(t *catalog.Type) []string {
	if t == nil || t.Doc == nil {
		return nil
	}
	kind := "resource"
	if t.Kind == catalog.KindDataSource {
		kind = "data"
	}
	return ExampleOrder(t.Doc.Examples, kind, t.Name)
}

// RequiredProviderFor is the required_providers entry a type's provider needs, its version
// constrained to the catalog's major and minor version (~> 5.2). It is false for Terraform's
// builtin provider, which needs no entry.
func RequiredProviderFor(t *catalog.Type) (RequiredProvider, bool) {
	p := t.Provider
	if p == nil || catalog.NormalizeSource(p.Source) == catalog.BuiltinSource {
		return RequiredProvider{}, false
	}
	rp := RequiredProvider{Name: p.Name, Source: p.Namespace + "/" + p.Name}
	if p.Namespace == "" {
		rp.Source = shortSource(p.Source)
	}
	if p.Version != "" {
		rp.Version = "~> " + majorMinor(p.Version)
	}
	return rp, true
}

// shortSource drops the default registry host: registry.terraform.io/hashicorp/azurerm
// becomes hashicorp/azurerm.
func shortSource(source string) string {
	return strings.TrimPrefix(catalog.NormalizeSource(source), "registry.terraform.io/")
}

// ProviderConfigFor is the provider block a type's provider cannot do without: azurerm's
// `features {}`, plus placeholders for any argument or block the provider schema requires.
// It is false when the provider works unconfigured (and for the builtin provider).
func ProviderConfigFor(t *catalog.Type) (ProviderConfig, bool) {
	p := t.Provider
	if p == nil || catalog.NormalizeSource(p.Source) == catalog.BuiltinSource {
		return ProviderConfig{}, false
	}
	var config Body
	if p.Schema != nil && p.Schema.ConfigSchema != nil && p.Schema.ConfigSchema.Block != nil {
		config = placeholderBody(p.Schema.ConfigSchema.Block, nil, "")
	}
	pc := NewProviderConfig(p.Name, p.Source, config)
	if len(pc.Config.Attributes)+len(pc.Config.Blocks) == 0 {
		return ProviderConfig{}, false
	}
	return pc, true
}

// placeholderBody fills a schema block's required arguments and required nested blocks;
// the rules typ's docs state for them (at schema paths under path) choose the values.
// Arguments and blocks come in schema order (SchemaOrder), as the editor sets new ones.
func placeholderBody(schema *tfjson.SchemaBlock, typ *catalog.Type, path string) Body {
	return placeholderIn(schema, typ, path, TypeExample(typ))
}

func placeholderIn(schema *tfjson.SchemaBlock, typ *catalog.Type, path string, example []string) Body {
	var body Body
	here := ExampleNames(example, path)
	names := make([]string, 0, len(schema.Attributes))
	for n, a := range schema.Attributes {
		if a != nil && a.Required {
			names = append(names, n)
		}
	}
	sortBy(names, SchemaOrder(names, func(string) bool { return true }, func() []string { return here }))
	for _, n := range names {
		v := placeholderValue(n, attrType(schema.Attributes[n]))
		body.Attributes = append(body.Attributes, Attribute{Name: n, Value: placeholderByRules(v, typ.Rules(joinSchemaPath(path, n)))})
	}
	btypes := make([]string, 0, len(schema.NestedBlocks))
	for n, bt := range schema.NestedBlocks {
		if bt != nil && bt.MinItems > 0 {
			btypes = append(btypes, n)
		}
	}
	sortBy(btypes, SchemaOrder(btypes, func(string) bool { return true }, func() []string { return here }))
	for _, n := range btypes {
		bt := schema.NestedBlocks[n]
		var inner Body
		if bt.Block != nil {
			inner = placeholderIn(bt.Block, typ, joinSchemaPath(path, n), example)
		}
		count := int(bt.MinItems)
		if bt.NestingMode == tfjson.SchemaNestingModeSingle || bt.NestingMode == tfjson.SchemaNestingModeGroup {
			count = 1
		}
		for i := 0; i < count; i++ {
			body.Blocks = append(body.Blocks, Block{Type: n, Body: inner})
		}
	}
	return body
}

// placeholderValue is a value of type ty for the argument called name.
func placeholderValue(name string, ty cty.Type) Value {
	switch {
	case ty == cty.String, ty == cty.DynamicPseudoType, ty == cty.NilType:
		return String(placeholderString(name))
	case ty == cty.Number:
		return Int(1)
	case ty == cty.Bool:
		return Bool(false)
	case ty.IsListType() || ty.IsSetType():
		return List(placeholderValue(singular(name), ty.ElementType()))
	case ty.IsTupleType():
		types := ty.TupleElementTypes()
		items := make([]Value, len(types))
		for i, et := range types {
			items[i] = placeholderValue(singular(name), et)
		}
		return List(items...)
	case ty.IsMapType():
		return Map(map[string]Value{"example": placeholderValue(singular(name), ty.ElementType())})
	case ty.IsObjectType():
		m := map[string]Value{}
		for _, n := range objectAttrNames(ty) {
			if !ty.AttributeOptional(n) {
				m[n] = placeholderValue(n, ty.AttributeType(n))
			}
		}
		return Map(m)
	}
	return String(placeholderString(name))
}

// singular names the elements of a collection argument: ip_addresses holds ip_address.
func singular(name string) string {
	switch {
	case strings.HasSuffix(name, "_ids"):
		return strings.TrimSuffix(name, "s")
	case strings.HasSuffix(name, "sses"), strings.HasSuffix(name, "xes"):
		return strings.TrimSuffix(name, "es")
	}
	return name
}

// guidSuffixes end the names of arguments that are GUIDs, not resource ids.
var guidSuffixes = []string{
	"tenant_id", "subscription_id", "client_id", "object_id", "principal_id", "application_id",
	"app_id", "owner_id", "user_id", "group_id",
}

// placeholderString is a readable string for the argument called name.
func placeholderString(name string) string {
	switch {
	case name == "name":
		return "example"
	case name == "location" || strings.HasSuffix(name, "_location"):
		return "westeurope"
	case name == "resource_group_name":
		return "example-rg"
	case name == "id" || name == "scope" || strings.HasSuffix(name, "_scope"):
		return placeholderResourceID
	case strings.HasSuffix(name, "_id"):
		for _, s := range guidSuffixes {
			if name == s || strings.HasSuffix(name, "_"+s) {
				return placeholderGUID
			}
		}
		return placeholderResourceID
	}
	return "example-" + strings.ReplaceAll(name, "_", "-")
}

// placeholderResourceID looks like an Azure resource id.
const placeholderResourceID = "/subscriptions/" + placeholderGUID + "/resourceGroups/example-rg/providers/Microsoft.Example/examples/example"

// AttributeType is a schema attribute's value type, nested attribute types included; an
// attribute without a type accepts anything (cty.DynamicPseudoType).
func AttributeType(a *tfjson.SchemaAttribute) cty.Type { return attrType(a) }
