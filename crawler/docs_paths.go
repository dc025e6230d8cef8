package crawler

import (
	"fmt"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

// Resolving each documented block to its path in the schema.

// maxNesting bounds the rounds of resolve.
const maxNesting = 16

// resolve finds every group's block paths. A block sits where the page references it: under
// each group with a bullet of that name (or whose text calls it "an `x` block as defined
// below"), which the schema confirms. Groups reference each other in any order, so this
// runs to a fixed point. A block no bullet references falls back to the schema: the blocks
// of that name under a block the page reached, else all of them.
func (p *docParser) resolve() {
	type ref struct {
		g     *group
		child string
	}
	refs := map[string][]ref{}
	for _, g := range p.groups {
		switch {
		case g.children != nil:
		case g.names == nil:
			g.paths = []string{""}
		case g.explicit || p.nodes == nil:
			g.paths = g.names
		}
		if g.discard {
			continue
		}
		for _, it := range g.items {
			refs[it.name] = append(refs[it.name], ref{g, it.name})
			if it.alias != "" {
				refs[it.alias] = append(refs[it.alias], ref{g, it.name})
			}
		}
	}
	if p.nodes == nil {
		p.nestedInEach()
		return
	}
	var intros []*group
	for _, g := range p.groups {
		if g.names != nil && !g.explicit {
			intros = append(intros, g)
		}
	}
	// Each round settles one more level of nesting; schemas are not deeper than this.
	for range maxNesting {
		changed := false
		reached := map[string]bool{"": true}
		for _, g := range p.groups {
			for _, path := range g.paths {
				reached[path] = true
			}
		}
		for _, g := range intros {
			var paths []string
			for _, name := range g.names {
				var found []string
				for _, r := range refs[lastName(name)] {
					for _, pp := range r.g.paths {
						c := joinPath(pp, r.child)
						if p.nodes[c] && (!strings.Contains(name, ".") || strings.HasSuffix("."+parentOf(c), "."+parentOf(name))) {
							found = append(found, c)
						}
					}
				}
				found = p.under(found, g.parents)
				if len(found) == 0 {
					found = p.fallback(name, g.parents, reached)
				}
				paths = append(paths, found...)
			}
			paths = uniq(paths)
			if !slices.Equal(paths, g.paths) {
				g.paths, changed = paths, true
			}
		}
		if !changed {
			break
		}
	}
	p.splitFamilies(intros)
	p.sharedSchemas()
	p.nestedInEach()
}

// nestedInEach resolves "Each nested block consists of": the blocks the bullets before it
// named.
func (p *docParser) nestedInEach() {
	for _, g := range p.groups {
		if g.children == nil {
			continue
		}
		for _, it := range g.children.items {
			for _, pp := range g.children.paths {
				if c := joinPath(pp, it.name); p.nodes == nil || p.nodes[c] {
					g.paths = append(g.paths, c)
				}
			}
		}
	}
}

// sharedSchemas applies tfplugindocs' shared nested schemas: after "Nested Schema for
// `namespace_selector` and `label_selector` in `a`", the page documents the children of
// both under one of them ("Nested Schema for `a.label_selector.match_expressions`"); a
// bullet whose "see below for nested schema" link points at another block's schema
// (`set_wo` → #nestedblock--set) shares that block's descriptions.
func (p *docParser) sharedSchemas() {
	same := map[string][]string{}
	for _, g := range p.groups {
		if !g.explicit || len(g.paths) < 2 {
			continue
		}
		for _, a := range g.paths {
			for _, b := range g.paths {
				if a != b && parentOf(a) == parentOf(b) {
					same[a] = append(same[a], b)
				}
			}
		}
	}
	for _, g := range p.groups {
		if !g.explicit && g.names != nil || len(g.paths) == 0 {
			continue
		}
		for _, it := range g.items {
			if own := joinPath(g.paths[0], it.name); it.schemaOf != "" && it.schemaOf != own && p.nodes[own] {
				same[it.schemaOf] = append(same[it.schemaOf], own)
			}
		}
	}
	if len(same) == 0 {
		return
	}
	for _, g := range p.groups {
		paths := g.paths
		for _, path := range g.paths {
			for i := 0; i <= len(path); i++ {
				if i < len(path) && path[i] != '.' {
					continue
				}
				for _, other := range same[path[:i]] {
					if c := other + path[i:]; p.nodes[c] {
						paths = append(paths, c)
					}
				}
			}
		}
		g.paths = uniq(paths)
	}
}

// under keeps the paths whose parent is one of parents, when that leaves any.
func (p *docParser) under(paths, parents []string) []string {
	if len(parents) == 0 {
		return paths
	}
	var out []string
	for _, c := range paths {
		for _, parent := range parents {
			if pp := parentOf(c); pp == parent || strings.HasSuffix(pp, "."+parent) {
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		return paths
	}
	return out
}

func (p *docParser) fallback(name string, parents []string, reached map[string]bool) []string {
	var cands []string
	for _, c := range p.containers[lastName(name)] {
		if c == name || strings.HasSuffix(c, "."+name) {
			cands = append(cands, c)
		}
	}
	cands = p.under(cands, parents)
	var near []string
	for _, c := range cands {
		if reached[parentOf(c)] {
			near = append(near, c)
		}
	}
	switch {
	case len(near) > 0:
		return near
	case len(cands) > 0:
		return cands
	}
	return []string{name} // not in the schema: reported as unknown
}

// splitFamilies handles a block name documented twice, once per place it occurs ("A `rule`
// block supports" for two different rules): each place goes to the intro whose bullets fit
// it best.
func (p *docParser) splitFamilies(intros []*group) {
	families := map[string][]*group{}
	for _, g := range intros {
		if len(g.names) == 1 {
			k := fmt.Sprint(g.mode, g.names[0])
			families[k] = append(families[k], g)
		}
	}
	for _, fam := range families {
		if len(fam) < 2 || len(fam[0].paths) < 2 {
			continue
		}
		all := fam[0].paths
		assigned := make([][]string, len(fam))
		for _, path := range all {
			best, fits := -1, []int{}
			for _, g := range fam {
				fit := 0
				for _, it := range g.items {
					if _, ok := p.nodes[joinPath(path, it.name)]; ok {
						fit++
					}
				}
				fits = append(fits, fit)
				if fit > best {
					best = fit
				}
			}
			for i := range fam {
				if fits[i] == best {
					assigned[i] = append(assigned[i], path)
				}
			}
		}
		for i, g := range fam {
			if len(assigned[i]) > 0 && slices.Equal(g.paths, all) {
				g.paths = assigned[i]
			}
		}
	}
}

// store writes every group's bullets under their schema paths, the first non-empty
// description of a path winning. A bullet the schema has under none of its group's paths is
// kept under the first, so the coverage report shows it as unknown.
func (p *docParser) store() {
	for _, g := range p.groups {
		if g.discard {
			continue
		}
		for _, it := range g.items {
			desc := strings.TrimSpace(strings.Join(it.desc, "\n"))
			var keys []string
			for _, path := range g.paths {
				k := joinPath(path, it.name)
				if _, ok := p.nodes[k]; ok || p.nodes == nil {
					keys = append(keys, k)
				}
			}
			if len(keys) == 0 && len(g.paths) > 0 {
				keys = []string{joinPath(g.paths[0], it.name)}
			}
			for _, k := range keys {
				if it.argument && p.doc.Arguments[k] == "" && desc != "" {
					p.doc.Arguments[k] = desc
				}
				into := p.target(it.mode)
				// tfplugindocs documents the timeouts block as "Nested Schema for `timeouts`".
				if rest, ok := strings.CutPrefix(k, "timeouts."); ok && (p.nodes == nil || p.nodes["timeouts"]) {
					into, k = p.doc.Timeouts, rest
				}
				if into[k] == "" && desc != "" {
					into[k] = desc
				}
			}
		}
	}
	for _, g := range p.groups {
		into := p.target(g.mode)
		for _, note := range g.notes {
			for _, path := range g.paths {
				if d := into[path]; d != "" && !strings.Contains(d, note) {
					into[path] = d + "\n\n" + note
				}
			}
		}
	}
}

func uniq(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// schemaPaths lists every path of a schema block: attributes, nested blocks, and the fields
// of nested attributes and of object-typed attributes ("kube_config.host"). The value is
// true for a path that holds further paths.
func schemaPaths(b *tfjson.SchemaBlock) map[string]bool {
	out := map[string]bool{}
	var block func(prefix string, b *tfjson.SchemaBlock)
	var object func(prefix string, t cty.Type)
	object = func(prefix string, t cty.Type) {
		for t.IsCollectionType() {
			t = t.ElementType()
		}
		if !t.IsObjectType() {
			return
		}
		out[prefix] = true
		for name, at := range t.AttributeTypes() {
			p := prefix + "." + name
			out[p] = false
			object(p, at)
		}
	}
	var nested func(prefix string, attrs map[string]*tfjson.SchemaAttribute)
	nested = func(prefix string, attrs map[string]*tfjson.SchemaAttribute) {
		for name, a := range attrs {
			p := joinPath(prefix, name)
			out[p] = false
			if a == nil {
				continue
			}
			if a.AttributeNestedType != nil {
				out[p] = true
				nested(p, a.AttributeNestedType.Attributes)
				continue
			}
			object(p, a.AttributeType)
		}
	}
	block = func(prefix string, b *tfjson.SchemaBlock) {
		if b == nil {
			return
		}
		nested(prefix, b.Attributes)
		for name, bt := range b.NestedBlocks {
			p := joinPath(prefix, name)
			out[p] = true
			if bt != nil {
				block(p, bt.Block)
			}
		}
	}
	block("", b)
	return out
}
