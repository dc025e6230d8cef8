// Checking that references parse and name something the blueprint declares.

package blueprint

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

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
			} else if root == "module" && len(t) > 2 && len(skipIndex(t[2:])) > 0 {
				v.d.errorf(p, "depends_on takes a whole module call", "write module.%s without the output", stepName(t[1]))
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
		v.checkModuleRef(path, t)
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
			// terraform validate accepts it; a plan refuses it ("Self-referential block").
			v.d.warnf(path, fmt.Sprintf("%s refers to itself", r.Address()), "terraform validate accepts this, but a plan will refuse it: a resource cannot read its own attributes; use a variable or local")
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
