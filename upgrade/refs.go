package upgrade

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// references holds whatever refers to something held, until nothing more does: an
// argument of a kept resource, data source, module call or provider, a local (and then
// what refers to it), a whole output.
func (a *analysis) references() {
	for changed := true; changed; {
		changed = false
		for _, f := range a.files {
			for _, blk := range f.syn.Blocks {
				if a.removed[blk] {
					continue
				}
				addr := address(blk)
				switch blk.Type {
				case "output":
					if gone := a.refersInBody(blk.Body); gone != "" {
						it := &held{file: f, at: node{body: f.wr.Body(), block: f.pair[blk], top: blk}}
						it.What, it.Address = WhatReference, addr
						it.File, it.Line, it.HCL = f.name, blk.TypeRange.Start.Line, text(f.src, blockRange(blk))
						it.Why = fmt.Sprintf("it refers to %s, which is held", gone)
						a.add(it, blk)
						changed = true
					}
				case "locals":
					for _, n := range sortedAttrs(blk.Body) {
						attr := blk.Body.Attributes[n]
						if gone := a.refersTo(attr.Expr); gone != "" && !a.removed[attr] {
							a.holdRef(f, f.pair[blk].Body(), attr, "local."+n, "", gone)
							a.gone["local."+n] = true
							changed = true
						}
					}
				case "resource", "data", "module", "provider":
					if a.refsInBlock(f, addr, "", blk.Body, f.pair[blk].Body()) {
						changed = true
					}
				}
			}
		}
	}
}

// refsInBlock holds the arguments of a kept block that refer to something held.
func (a *analysis) refsInBlock(f *file, addr, path string, body *hclsyntax.Body, wb *hclwrite.Body) bool {
	changed := false
	for _, n := range sortedAttrs(body) {
		attr := body.Attributes[n]
		if a.removed[attr] {
			continue
		}
		if gone := a.refersTo(attr.Expr); gone != "" {
			a.holdRef(f, wb, attr, addr, join(path, n), gone)
			changed = true
		}
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		bpath := fmt.Sprintf("%s[%d]", join(path, blk.Type), counts[blk.Type])
		counts[blk.Type]++
		if a.removed[blk] {
			continue
		}
		if a.refsInBlock(f, addr, bpath, blk.Body, f.pair[blk].Body()) {
			changed = true
		}
	}
	return changed
}

func (a *analysis) holdRef(f *file, wb *hclwrite.Body, attr *hclsyntax.Attribute, addr, path, gone string) {
	it := &held{file: f, at: node{body: wb, attr: attr.Name}}
	it.What, it.Address, it.Path = WhatReference, addr, path
	it.File, it.Line, it.HCL = f.name, attr.SrcRange.Start.Line, text(f.src, attr.SrcRange)
	it.Why = fmt.Sprintf("it refers to %s, which is held", gone)
	a.add(it, attr)
}

// refersInBody is the first held address any argument of body refers to, at any depth.
func (a *analysis) refersInBody(body *hclsyntax.Body) string {
	for _, n := range sortedAttrs(body) {
		if gone := a.refersTo(body.Attributes[n].Expr); gone != "" {
			return gone
		}
	}
	for _, blk := range body.Blocks {
		if gone := a.refersInBody(blk.Body); gone != "" {
			return gone
		}
	}
	return ""
}

// refersTo is the first held address expr refers to; "" when none.
func (a *analysis) refersTo(expr hclsyntax.Expression) string {
	for _, tr := range expr.Variables() {
		if addr := traversalAddress(tr); addr != "" && a.gone[addr] {
			return addr
		}
	}
	return ""
}

// traversalAddress is the block a reference names: type.name, data.type.name, local.name.
func traversalAddress(tr hcl.Traversal) string {
	var names []string
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			names = append(names, s.Name)
		case hcl.TraverseAttr:
			names = append(names, s.Name)
		}
		if len(names) == 3 {
			break
		}
	}
	switch {
	case len(names) >= 3 && names[0] == "data":
		return "data." + names[1] + "." + names[2]
	case len(names) >= 2 && names[0] == "local":
		return "local." + names[1]
	case len(names) >= 2:
		return names[0] + "." + names[1]
	}
	return ""
}

// address is how configuration names a top-level block.
func address(blk *hclsyntax.Block) string {
	switch {
	case blk.Type == "resource" && len(blk.Labels) == 2:
		return blk.Labels[0] + "." + blk.Labels[1]
	case blk.Type == "data" && len(blk.Labels) == 2:
		return "data." + blk.Labels[0] + "." + blk.Labels[1]
	case len(blk.Labels) == 1:
		return blk.Type + "." + blk.Labels[0]
	}
	return blk.Type
}

func sortedAttrs(body *hclsyntax.Body) []string {
	names := make([]string, 0, len(body.Attributes))
	for n := range body.Attributes {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		return body.Attributes[names[i]].SrcRange.Start.Byte < body.Attributes[names[j]].SrcRange.Start.Byte
	})
	return names
}
