package upgrade

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/hcllimit"
)

// file is one parsed .tf file: the syntax tree to analyse and the hclwrite tree to edit.
// Both come from the same bytes, so their blocks correspond one to one, in order.
type file struct {
	name string
	src  []byte
	syn  *hclsyntax.Body
	wr   *hclwrite.File
	// pair maps each syntax block to its hclwrite block, paired once at parse time:
	// removing held blocks later shifts the hclwrite tree's lists.
	pair map[*hclsyntax.Block]*hclwrite.Block
}

// pairBlocks pairs the blocks of two trees of the same text, recursively.
func pairBlocks(syn *hclsyntax.Body, wr *hclwrite.Body, into map[*hclsyntax.Block]*hclwrite.Block) bool {
	wblocks := wr.Blocks()
	if len(wblocks) != len(syn.Blocks) {
		return false
	}
	for i, blk := range syn.Blocks {
		if wblocks[i].Type() != blk.Type {
			return false
		}
		into[blk] = wblocks[i]
		if !pairBlocks(blk.Body, wblocks[i].Body(), into) {
			return false
		}
	}
	return true
}

// node is something held: where it sits in the hclwrite tree, to remove or rename it.
type node struct {
	body  *hclwrite.Body  // the body holding it
	block *hclwrite.Block // the held block; nil for an attribute
	attr  string          // the held attribute's name
	// top is the held top-level block's syntax, for resources held whole.
	top *hclsyntax.Block
}

// held is an Item with where it is.
type held struct {
	Item
	at     node
	file   *file
	target *tfjson.SchemaBlock // for a mechanical block rename: the replacement's schema
}

// analysis walks parsed files against the catalog.
type analysis struct {
	cat   *catalog.Catalog
	files []*file
	items []*held
	// gone are the addresses of held blocks (type.name, data.type.name, local.name), which
	// nothing kept may refer to.
	gone map[string]bool
	// removed are the syntax nodes already held, so a later pass skips them.
	removed map[any]bool
	// older are the providers whose required version the catalog's version does not meet.
	older map[string]bool
}

// parse reads files the way blueprint.Import will: only *.tf, each bounded by hcllimit
// before any parser sees it. A file that does not parse is left to blueprint.Import, which
// reports it; ok is false then.
func parse(files map[string][]byte) ([]*file, bool) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*file
	for _, n := range names {
		if !strings.HasSuffix(n, ".tf") {
			continue
		}
		src := files[n]
		if err := hcllimit.Config(src, n); err != nil {
			return nil, false // blueprint.Import reports it with its line
		}
		sf, diags := hclsyntax.ParseConfig(src, n, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, false
		}
		wf, diags := hclwrite.ParseConfig(src, n, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, false
		}
		f := &file{name: n, src: src, syn: sf.Body.(*hclsyntax.Body), wr: wf, pair: map[*hclsyntax.Block]*hclwrite.Block{}}
		if !pairBlocks(f.syn, wf.Body(), f.pair) {
			return nil, false
		}
		out = append(out, f)
	}
	return out, true
}

// analyse finds what the catalog's schemas no longer have, then what refers to it.
func analyse(cat *catalog.Catalog, files []*file) *analysis {
	a := &analysis{cat: cat, files: files, gone: map[string]bool{}, removed: map[any]bool{}, older: olderProviders(cat, files)}
	for _, f := range files {
		for _, blk := range f.syn.Blocks {
			a.topBlock(f, blk, f.pair[blk], f.wr.Body())
		}
	}
	a.references()
	return a
}

// topBlock checks one top-level block.
func (a *analysis) topBlock(f *file, blk *hclsyntax.Block, wb *hclwrite.Block, parent *hclwrite.Body) {
	switch {
	case (blk.Type == "resource" || blk.Type == "data") && len(blk.Labels) == 2:
		kind, what, addr := catalog.KindResource, WhatResource, blk.Labels[0]+"."+blk.Labels[1]
		if blk.Type == "data" {
			kind, what, addr = catalog.KindDataSource, WhatDataSource, "data."+addr
		}
		p := a.cat.ProviderOfType(blk.Labels[0])
		if p == nil {
			return // not a provider of the catalog: validation says so, as always
		}
		t := a.cat.Lookup(kind, blk.Labels[0])
		if t == nil || t.Provider != p {
			if a.holds(p, kind, blk.Labels[0], "") {
				a.holdType(f, blk, wb, parent, p, kind, what, addr)
			}
			return
		}
		a.body(f, p, kind, blk.Labels[0], addr, "", "", blk.Body, wb.Body(), t.Schema.Block, true)
	case blk.Type == "provider" && len(blk.Labels) == 1:
		p := a.cat.ProviderOfType(blk.Labels[0] + "_")
		if p == nil || p.Schema == nil || p.Schema.ConfigSchema == nil || p.Schema.ConfigSchema.Block == nil {
			return
		}
		a.body(f, p, "", "", "provider."+blk.Labels[0], "", "", blk.Body, wb.Body(), p.Schema.ConfigSchema.Block, false)
	}
}

func (a *analysis) holdType(f *file, blk *hclsyntax.Block, wb *hclwrite.Block, parent *hclwrite.Body, p *catalog.Provider, kind catalog.Kind, what What, addr string) {
	it := &held{file: f, at: node{body: parent, block: wb, top: blk}}
	it.What, it.Address = what, addr
	it.File, it.Line, it.HCL = f.name, blk.TypeRange.Start.Line, text(f.src, blockRange(blk))
	it.Why = fmt.Sprintf("%s %s has no %s %s", p.Name, p.Version, what, blk.Labels[0])
	if u := a.entry(p, kind, blk.Labels[0], ""); u != nil {
		a.describe(it, u)
		if it.Mechanical {
			t := a.cat.Lookup(kind, u.Replacements[0])
			if problems := fits(blk.Body, t.Schema.Block, true); len(problems) > 0 {
				it.Mechanical, it.NotMechanical = false, fmt.Sprintf("%s does not take this configuration as it is: %s", u.Replacements[0], strings.Join(problems, "; "))
			}
		}
	}
	a.add(it, blk)
	a.gone[addr] = true
}

// body checks a block's arguments and nested blocks against its schema, recursively.
// schemaPath is the block's path in the type's schema ("default_node_pool"), path the same
// with indexes.
func (a *analysis) body(f *file, p *catalog.Provider, kind catalog.Kind, typ, addr, schemaPath, path string, body *hclsyntax.Body, wb *hclwrite.Body, schema *tfjson.SchemaBlock, top bool) {
	names := make([]string, 0, len(body.Attributes))
	for n := range body.Attributes {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		return body.Attributes[names[i]].SrcRange.Start.Byte < body.Attributes[names[j]].SrcRange.Start.Byte
	})
	for _, n := range names {
		attr := body.Attributes[n]
		if schema.Attributes[n] != nil || schema.NestedBlocks[n] != nil || top && isMeta(n) || typ == "" && (n == "alias" || n == "version") ||
			!a.holds(p, kind, typ, join(schemaPath, n)) {
			continue
		}
		it := &held{file: f, at: node{body: wb, attr: n}}
		it.What, it.Address, it.Path = WhatArgument, addr, join(path, n)
		it.File, it.Line, it.HCL = f.name, attr.SrcRange.Start.Line, text(f.src, attr.SrcRange)
		it.Why = fmt.Sprintf("%s %s has no argument %s here", p.Name, p.Version, join(schemaPath, n))
		if typ != "" {
			if u := a.entry(p, kind, typ, join(schemaPath, n)); u != nil {
				a.describe(it, u)
				if it.Mechanical {
					a.checkAttrRename(it, u, body, schema)
				}
			}
		}
		a.add(it, attr)
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		bpath := fmt.Sprintf("%s[%d]", join(path, blk.Type), counts[blk.Type])
		counts[blk.Type]++
		name := blk.Type
		nb := schema.NestedBlocks[name]
		switch {
		case top && isMeta(blk.Type), blk.Type == "dynamic":
			continue // blueprint.Import reports a dynamic block it leaves out
		case nb != nil && nb.Block != nil:
			a.body(f, p, kind, typ, addr, join(schemaPath, name), bpath, blk.Body, f.pair[blk].Body(), nb.Block, false)
			continue
		case nb != nil || schema.Attributes[name] != nil || !a.holds(p, kind, typ, join(schemaPath, name)):
			continue // an attribute written as blocks is kept as it is; a typo is validation's
		}
		it := &held{file: f, at: node{body: wb, block: f.pair[blk]}}
		it.What, it.Address, it.Path = WhatBlock, addr, bpath
		it.File, it.Line, it.HCL = f.name, blk.TypeRange.Start.Line, text(f.src, blockRange(blk))
		it.Why = fmt.Sprintf("%s %s has no block %s here", p.Name, p.Version, join(schemaPath, name))
		if typ != "" {
			if u := a.entry(p, kind, typ, join(schemaPath, name)); u != nil {
				a.describe(it, u)
				if it.Mechanical {
					a.checkBlockRename(it, u, blk, body, schema)
				}
			}
			a.related(it, p, kind, typ, join(schemaPath, name), blk.Body)
		}
		a.add(it, blk)
	}
}

// holds says whether something the schema lacks is held rather than left to validation:
// when a guide says what became of it, or when the configuration asks for a provider
// version the catalog's does not satisfy (it was written for an older one). Otherwise it
// is most likely a typo, which validation reports with a did-you-mean, as always.
func (a *analysis) holds(p *catalog.Provider, kind catalog.Kind, typ, path string) bool {
	if a.older[p.Name] {
		return true
	}
	return typ != "" && len(p.UpgradesFor(kind, typ, path)) > 0
}

// entry finds the newest guide entry about a type or path, following renames while the
// replacement is itself gone from the schema (3.0 renames a to b, 4.0 b to c).
func (a *analysis) entry(p *catalog.Provider, kind catalog.Kind, typ, path string) *catalog.Upgrade {
	ups := p.UpgradesFor(kind, typ, path)
	if len(ups) == 0 {
		return nil
	}
	u := ups[0]
	for range 5 {
		if u.Change != catalog.UpgradeRenamed || a.exists(kind, typ, u, u.Replacements[0]) {
			break
		}
		nextTyp, nextPath := typ, u.Replacements[0]
		if path == "" {
			nextTyp, nextPath = u.Replacements[0], ""
		}
		next := p.UpgradesFor(kind, nextTyp, nextPath)
		if len(next) == 0 {
			break
		}
		u = next[0]
	}
	return &u
}

func (a *analysis) exists(kind catalog.Kind, typ string, u catalog.Upgrade, name string) bool {
	if u.Path == "" {
		return a.cat.Lookup(kind, name) != nil
	}
	t := a.cat.Lookup(kind, typ)
	return t != nil && schemaAt(t.Schema.Block, name) != ""
}

// describe fills an item from its guide entry.
func (a *analysis) describe(it *held, u *catalog.Upgrade) {
	it.Upgrade = u
	it.Replacements = u.Replacements
	it.Why += "; " + summary(u)
	it.Mechanical = u.Mechanical
	if s, ok := successors[u.Type]; ok && u.Path == "" && len(u.Replacements) == 0 && a.cat.Lookup(u.Kind, s.to) != nil {
		it.Suggested, it.SuggestedWhy = s.to, s.why+"; a suggestion of CloudOven's, not the guide's"
	}
	if !u.Mechanical {
		switch {
		case u.Change == catalog.UpgradeRemoved:
			it.NotMechanical = "the guide names no replacement"
		case u.Change == catalog.UpgradeReplaced:
			it.NotMechanical = "the guide replaces it with several others"
		default:
			it.NotMechanical = "the replacement is not the same kind of thing in the same place"
		}
	}
}

// related adds the guide's entries about what a held block holds, and their replacements
// when the block's own entry names none.
func (a *analysis) related(it *held, p *catalog.Provider, kind catalog.Kind, typ, schemaPath string, body *hclsyntax.Body) {
	var walk func(prefix string, b *hclsyntax.Body)
	walk = func(prefix string, b *hclsyntax.Body) {
		var names []string
		for n := range b.Attributes {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, blk := range b.Blocks {
			names = append(names, blk.Type)
		}
		seen := map[string]bool{}
		for _, n := range names {
			if seen[n] {
				continue
			}
			seen[n] = true
			if u := a.entry(p, kind, typ, prefix+"."+n); u != nil {
				it.Related = append(it.Related, *u)
			}
		}
		for _, blk := range b.Blocks {
			walk(prefix+"."+blk.Type, blk.Body)
		}
	}
	walk(schemaPath, body)
	if len(it.Replacements) == 0 {
		seen := map[string]bool{}
		for _, u := range it.Related {
			for _, r := range u.Replacements {
				if !seen[r] && !strings.Contains(r, ".") {
					seen[r] = true
					it.Replacements = append(it.Replacements, r)
				}
			}
		}
	}
}

func (a *analysis) add(it *held, syn any) {
	a.items = append(a.items, it)
	a.removed[syn] = true
}

// isMeta names the meta-arguments and meta-blocks of a resource or data block.
func isMeta(name string) bool {
	switch name {
	case "count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection":
		return true
	}
	return false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func blockRange(b *hclsyntax.Block) hcl.Range {
	return hcl.RangeBetween(b.TypeRange, b.CloseBraceRange)
}

func text(src []byte, r hcl.Range) string {
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return string(src[r.Start.Byte:r.End.Byte])
}

// schemaAt says whether path names an "attribute" or a "block" of b; "" when neither.
func schemaAt(b *tfjson.SchemaBlock, path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if b == nil {
			return ""
		}
		if b.Attributes[p] != nil {
			if i == len(parts)-1 {
				return "attribute"
			}
			return ""
		}
		nb := b.NestedBlocks[p]
		if nb == nil {
			return ""
		}
		if i == len(parts)-1 {
			return "block"
		}
		b = nb.Block
	}
	return ""
}
