// Checking a body's arguments and nested blocks against a provider's schema.

package blueprint

import (
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// metaArguments are written as fields of a resource, never inside its config.
var metaArguments = map[string]string{
	"count": "count", "for_each": "for_each", "provider": "provider", "depends_on": "depends_on",
	"lifecycle": "lifecycle", "provisioner": "", "connection": "", "dynamic": "",
}

// isMeta reports whether name is a meta-argument or meta-block of resources, which a
// blueprint holds as fields of the resource or not at all.
func isMeta(name string) bool {
	_, ok := metaArguments[name]
	return ok
}

func hasAttrOrBlock(b *tfjson.SchemaBlock, name string) bool {
	_, a := b.Attributes[name]
	_, bl := b.NestedBlocks[name]
	return a || bl
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
			case isMeta(a.Name):
				v.d.errorf(apath, fmt.Sprintf("%q is a meta-argument, not part of config", a.Name), "set it on the resource itself (its %q field)%s", a.Name, unsupportedMeta(a.Name))
			default:
				hint, s := v.unsupportedHint(apath, a.Name, argNames(schema))
				if s != "" {
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
			case isMeta(blk.Type):
				v.d.errorf(bpath, fmt.Sprintf("%q is a meta-argument, not part of config", blk.Type), "set it on the resource itself (its %q field)%s", blk.Type, unsupportedMeta(blk.Type))
			default:
				hint, s := v.unsupportedHint(bpath, blk.Type, argNames(schema))
				if s != "" {
					misspelt[s] = true
				}
				v.d.errorf(bpath, fmt.Sprintf("unsupported block %q", blk.Type), "this block has no nested block of that name.%s", hint)
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
