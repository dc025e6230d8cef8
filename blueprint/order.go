package blueprint

import (
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// Placement says where an argument or a block type goes that a body does not hold yet.
//
// The order of a body's arguments (and, separately, of its block types) is part of the
// generated text, so it must not depend on the history of edits: clearing an argument and
// setting it again must give back the same main.tf, or every diff carries noise. The rule:
//
//  1. An argument the body holds keeps its place; setting it to a new value changes nothing
//     else. Import and the blueprint document keep the order the author wrote.
//  2. An argument the body does not hold takes its place in the canonical sequence of the
//     body: the body as the version the draft started from has it (Placement.Prior), with
//     every argument that version lacks merged in by schema order (Placement.Rank) right
//     after the last of the version's arguments that the schema orders before it. It goes
//     right after the nearest argument before it in that sequence that the body holds (or
//     before the nearest one after it, or at the end).
//
// So an argument cleared and set again within a draft comes back where the version had it,
// and a new one goes where the schema orders it, never "at the end because it was typed
// last": a body whose order fits its canonical sequence (every body this rule built does)
// keeps fitting it, and then its order is a function of which arguments it holds alone.
// SchemaOrder is the schema order the editor uses. Block types follow the same rule
// (SetBlocks); instances of one type stay together where the type's first one stood.
//
// Placement carries the two inputs of rule 2 for one body. The zero Placement appends.
type Placement struct {
	// Prior gives the body as the blueprint version the draft started from has it: nil, or
	// an empty body, when that version has no such body. It is called only when an argument
	// is placed, and may be called more than once: reading that version costs, and most
	// changes place nothing.
	Prior func() Body
	// Rank orders the names of the body's arguments (and of its block types) as the schema
	// does: lower first; nil, or false, when a name has no rank.
	Rank func(name string) (int, bool)
}

// Block is the placement of the i-th instance of the nested block type typ.
func (p Placement) Block(typ string, i int, rank func(string) (int, bool)) Placement {
	out := Placement{Rank: rank}
	if p.Prior != nil {
		out.Prior = func() Body {
			if blocks := p.Prior().BlocksOf(typ); i < len(blocks) {
				return blocks[i].Body
			}
			return Body{}
		}
	}
	return out
}

func (p Placement) prior() Body {
	if p.Prior == nil {
		return Body{}
	}
	return p.Prior()
}

// index is where name goes among present, which does not hold it; prior is the names of
// the prior body, in its order.
func (p Placement) index(present, prior []string, name string) int {
	seq := p.sequence(prior, append(slices.Clone(present), name))
	at := slices.Index(seq, name)
	if at < 0 {
		return len(present)
	}
	for i := at - 1; i >= 0; i-- {
		if j := slices.Index(present, seq[i]); j >= 0 {
			return j + 1
		}
	}
	for i := at + 1; i < len(seq); i++ {
		if j := slices.Index(present, seq[i]); j >= 0 {
			return j
		}
	}
	return len(present)
}

// sequence is the canonical sequence of the names of prior and others: prior's order, and
// each of others that prior lacks right after the last prior name that ranks before it (the
// prior's own order may not be the schema's: an imported body keeps its author's), by rank
// among those that land in one place. A name without a rank that prior lacks has no place
// in it.
func (p Placement) sequence(prior, others []string) []string {
	type merged struct {
		slot, rank int
		name       string
	}
	var add []merged
	for _, n := range others {
		r, ok := p.rank(n)
		if !ok || slices.Contains(prior, n) || slices.ContainsFunc(add, func(m merged) bool { return m.name == n }) {
			continue
		}
		slot := 0
		for i, pn := range prior {
			if pr, ok := p.rank(pn); ok && pr < r {
				slot = i + 1
			}
		}
		add = append(add, merged{slot: slot, rank: r, name: n})
	}
	sort.Slice(add, func(i, j int) bool {
		if add[i].slot != add[j].slot {
			return add[i].slot < add[j].slot
		}
		return add[i].rank < add[j].rank
	})
	seq := make([]string, 0, len(prior)+len(add))
	k := 0
	for i := 0; i <= len(prior); i++ {
		for ; k < len(add) && add[k].slot == i; k++ {
			seq = append(seq, add[k].name)
		}
		if i < len(prior) {
			seq = append(seq, prior[i])
		}
	}
	return seq
}

func (p Placement) rank(name string) (int, bool) {
	if p.Rank == nil {
		return 0, false
	}
	return p.Rank(name)
}

// SetAttribute sets the argument name to v: in place when b holds it, else where p places
// it (the rule above). A zero v removes the argument.
func (b *Body) SetAttribute(name string, v Value, p Placement) {
	i := slices.IndexFunc(b.Attributes, func(a Attribute) bool { return a.Name == name })
	switch {
	case i >= 0 && v.IsZero():
		b.Attributes = slices.Delete(slices.Clone(b.Attributes), i, i+1)
	case i >= 0:
		b.Attributes = slices.Clone(b.Attributes)
		b.Attributes[i].Value = v
	case !v.IsZero():
		present := make([]string, len(b.Attributes))
		for i, a := range b.Attributes {
			present[i] = a.Name
		}
		pb := p.prior()
		prior := make([]string, len(pb.Attributes))
		for i, a := range pb.Attributes {
			prior[i] = a.Name
		}
		at := p.index(present, prior, name)
		b.Attributes = slices.Insert(slices.Clone(b.Attributes), at, Attribute{Name: name, Value: v})
	}
}

// SetBlocks replaces b's blocks of type typ with blocks: where the type's first block
// stood, else where p places the type among the block types b holds. No blocks removes the
// type.
func (b *Body) SetBlocks(typ string, blocks []Block, p Placement) {
	var out []Block
	placed := false
	for _, blk := range b.Blocks {
		if blk.Type != typ {
			out = append(out, blk)
			continue
		}
		if !placed {
			out = append(out, blocks...)
			placed = true
		}
	}
	if !placed && len(blocks) > 0 {
		present, at := blockTypes(out), len(out)
		if t := p.index(present, blockTypes(p.prior().Blocks), typ); t < len(present) {
			at = slices.IndexFunc(out, func(blk Block) bool { return blk.Type == present[t] })
		}
		out = slices.Insert(out, at, blocks...)
	}
	b.Blocks = out
}

// blockTypes is the types of blocks, each once, in the order of their first block.
func blockTypes(blocks []Block) []string {
	var out []string
	for _, blk := range blocks {
		if !slices.Contains(out, blk.Type) {
			out = append(out, blk.Type)
		}
	}
	return out
}

// SchemaOrder ranks the arguments (or the block types) of one body as a Terraform author
// expects them, the way the registry's example usage writes them: required ones first,
// then optional ones; within each, those the type's example writes in the example's order,
// then the rest by name. required says whether a name is required; example gives the names
// as the example writes them (ExampleNames), possibly none, or is nil.
func SchemaOrder(names []string, required func(string) bool, exampleOf func() []string) func(string) (int, bool) {
	// Ranked on first use: most parses of a form place nothing.
	var rank map[string]int
	return func(name string) (int, bool) {
		if rank == nil {
			var example []string
			if exampleOf != nil {
				example = exampleOf()
			}
			sorted := slices.Clone(names)
			sort.SliceStable(sorted, func(i, j int) bool {
				a, b := sorted[i], sorted[j]
				if ra, rb := required(a), required(b); ra != rb {
					return ra
				}
				ea, eb := slices.Index(example, a), slices.Index(example, b)
				switch {
				case ea >= 0 && eb >= 0:
					return ea < eb
				case ea >= 0 || eb >= 0:
					return ea >= 0
				}
				return a < b
			})
			rank = make(map[string]int, len(sorted))
			for i, n := range sorted {
				rank[n] = i
			}
		}
		r, ok := rank[name]
		return r, ok
	}
}

// sortBy sorts names by rank.
func sortBy(names []string, rank func(string) (int, bool)) {
	sort.SliceStable(names, func(i, j int) bool {
		ri, _ := rank(names[i])
		rj, _ := rank(names[j])
		return ri < rj
	})
}

// maxExampleSize bounds the example text ExampleOrder parses.
const maxExampleSize = 64 << 10

// ExampleOrder reads the first of examples (a type's doc examples, HCL) that writes a block
// of the type: kind is "resource" or "data". It returns the schema paths of the arguments
// and nested block types that block writes, in the order it writes them
// ("name", "default_node_pool", "default_node_pool.vm_size"); nil when no example does, or
// none parses.
func ExampleOrder(examples []string, kind, typ string) []string {
	for _, src := range examples {
		if len(src) > maxExampleSize || hcllimit.Config([]byte(src), "example.tf") != nil {
			continue
		}
		f, diags := hclsyntax.ParseConfig([]byte(src), "example.tf", hcl.InitialPos)
		if diags.HasErrors() {
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		for _, blk := range body.Blocks {
			if blk.Type == kind && len(blk.Labels) > 0 && blk.Labels[0] == typ {
				var out []string
				exampleNames(blk.Body, "", &out)
				return out
			}
		}
	}
	return nil
}

// exampleNames appends the schema paths of body's arguments and block types, by position.
func exampleNames(body *hclsyntax.Body, prefix string, out *[]string) {
	type item struct {
		at    int
		name  string
		block *hclsyntax.Body
	}
	var items []item
	for _, a := range body.Attributes {
		items = append(items, item{at: a.SrcRange.Start.Byte, name: a.Name})
	}
	for _, b := range body.Blocks {
		items = append(items, item{at: b.TypeRange.Start.Byte, name: b.Type, block: b.Body})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].at < items[j].at })
	for _, it := range items {
		path := it.name
		if prefix != "" {
			path = prefix + "." + it.name
		}
		if !slices.Contains(*out, path) {
			*out = append(*out, path)
		}
		if it.block != nil {
			exampleNames(it.block, path, out)
		}
	}
}

// ExampleNames is the names of example (ExampleOrder's paths) directly inside the body at
// schemaPath ("" for the top), in order.
func ExampleNames(example []string, schemaPath string) []string {
	var out []string
	for _, p := range example {
		rest := p
		if schemaPath != "" {
			var ok bool
			if rest, ok = strings.CutPrefix(p, schemaPath+"."); !ok {
				continue
			}
		}
		if !strings.Contains(rest, ".") {
			out = append(out, rest)
		}
	}
	return out
}
