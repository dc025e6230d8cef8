package state

import (
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Change is what became of a resource instance or an output between two state versions.
type Change string

// The changes a Diff lists; what stayed the same is left out.
const (
	Added   Change = "added"
	Removed Change = "removed"
	Changed Change = "changed"
)

// Diff is what changed from one state version to another: resource instances and outputs
// added, removed and changed. A changed instance lists the attributes that changed, leaf by
// leaf. Sensitive values, and values that hold a sensitive string of either state, are
// never read into it.
type Diff struct {
	// Counts are the resource instance changes by kind, all of them, listed or not.
	Counts map[Change]int
	// Resources are the instance changes by address, at most MaxResources.
	Resources     []ResourceChange
	MoreResources int
	// Outputs are the output changes by name, at most MaxOutputs.
	Outputs     []OutputChange
	MoreOutputs int
}

// Empty says nothing changed.
func (d Diff) Empty() bool {
	return len(d.Resources) == 0 && d.MoreResources == 0 && len(d.Outputs) == 0 && d.MoreOutputs == 0
}

// ResourceChange is one resource instance added, removed or changed.
type ResourceChange struct {
	// Address is the instance's: terraform_data.item[0].
	Address string
	Type    string
	Change  Change
	// Attributes are, for a changed instance, the attributes that changed, at most
	// MaxAttributes (and MaxAttributesTotal over the Diff); nested values are flattened
	// into paths (input.tags[0]).
	Attributes     []AttributeChange
	MoreAttributes int
}

// AttributeChange is one attribute (a leaf of a nested value) that changed.
type AttributeChange struct {
	Path          string
	Before, After Value
}

// OutputChange is one output added, removed or changed (its value, or whether it is
// sensitive).
type OutputChange struct {
	Name          string
	Change        Change
	Sensitive     bool // on either side
	Before, After Value
}

// Compare returns what changed from state from to state to.
func Compare(from, to *Snapshot) Diff {
	secrets := append(append([]string(nil), from.secrets...), to.secrets...)
	d := Diff{Counts: map[Change]int{}}
	old := map[string]instance{}
	for _, in := range from.instances {
		old[in.Address] = in
	}
	var changes []ResourceChange
	seen := map[string]bool{}
	budget := MaxAttributesTotal
	add := func(c ResourceChange) {
		d.Counts[c.Change]++
		if len(d.Resources) >= MaxResources {
			d.MoreResources++
			return
		}
		d.Resources = append(d.Resources, c)
	}
	for _, in := range to.instances {
		seen[in.Address] = true
		before, ok := old[in.Address]
		if !ok {
			changes = append(changes, ResourceChange{Address: in.Address, Type: in.Type, Change: Added})
			continue
		}
		attrs := compareAttributes(before, in, secrets)
		if len(attrs) > 0 {
			changes = append(changes, ResourceChange{Address: in.Address, Type: in.Type, Change: Changed, Attributes: attrs})
		}
	}
	for _, in := range from.instances {
		if !seen[in.Address] {
			changes = append(changes, ResourceChange{Address: in.Address, Type: in.Type, Change: Removed})
		}
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].Address < changes[j].Address })
	for _, c := range changes {
		keep := min(MaxAttributes, budget, len(c.Attributes))
		if len(d.Resources) < MaxResources {
			budget -= keep
		}
		c.MoreAttributes = len(c.Attributes) - keep
		c.Attributes = c.Attributes[:keep:keep]
		add(c)
	}
	d.Outputs, d.MoreOutputs = compareOutputs(from, to, secrets)
	return d
}

// leaf is one flattened attribute value.
type leaf struct {
	value     any
	sensitive bool
}

// compareAttributes lists the leaves of two instances' attributes that differ, by path.
func compareAttributes(from, to instance, secrets []string) []AttributeChange {
	a, b := map[string]leaf{}, map[string]leaf{}
	flatten(nil, nil, from.attrs, from.sensitive, 0, a)
	flatten(nil, nil, to.attrs, to.sensitive, 0, b)
	var paths []string
	for p := range a {
		paths = append(paths, p)
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var out []AttributeChange
	for _, p := range paths {
		x, inA := a[p]
		y, inB := b[p]
		if inA && inB && x.sensitive == y.sensitive && reflect.DeepEqual(x.value, y.value) {
			continue
		}
		out = append(out, AttributeChange{Path: p, Before: leafValue(x, inA, secrets), After: leafValue(y, inB, secrets)})
	}
	return out
}

func leafValue(l leaf, present bool, secrets []string) Value {
	if !present {
		return Value{Absent: true}
	}
	return showValue(l.value, l.sensitive, secrets, false, AttributeRunes)
}

// flatten adds v's leaves to into by path: scalars, nulls, empty lists and objects, and
// whole values at a sensitive path (marked so) or deeper than maxDepth. path is the
// value's path as terraform names it, through dynamic values (see dynamic); raw is its
// path in the file. A sensitive path that matches either marks the value.
func flatten(path, raw []any, v any, sensitive [][]any, depth int, into map[string]leaf) {
	if marked(path, sensitive) || marked(raw, sensitive) || depth > maxDepth {
		into[pathText(path)] = leaf{value: v, sensitive: true}
		return
	}
	if inner, ok := dynamic(v); ok {
		flatten(path, append(raw[:len(raw):len(raw)], "value"), inner, sensitive, depth+1, into)
		return
	}
	switch c := v.(type) {
	case map[string]any:
		if len(c) == 0 {
			break
		}
		for k, e := range c {
			flatten(append(path[:len(path):len(path)], k), append(raw[:len(raw):len(raw)], k), e, sensitive, depth+1, into)
		}
		return
	case []any:
		if len(c) == 0 {
			break
		}
		for i, e := range c {
			flatten(append(path[:len(path):len(path)], i), append(raw[:len(raw):len(raw)], i), e, sensitive, depth+1, into)
		}
		return
	}
	into[pathText(path)] = leaf{value: v}
}

// marked reports whether one of the sensitive paths is path or leads to it.
func marked(path []any, sensitive [][]any) bool {
	for _, s := range sensitive {
		if len(s) <= len(path) && reflect.DeepEqual(s, path[:len(s)]) {
			return true
		}
	}
	return false
}

// pathText writes a path as terraform does: input.tags[0], labels["app.kubernetes.io/name"].
func pathText(path []any) string {
	var b strings.Builder
	for _, step := range path {
		switch s := step.(type) {
		case int:
			b.WriteString("[" + strconv.Itoa(s) + "]")
		case string:
			if identifier(s) {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(s)
			} else {
				b.WriteString("[" + strconv.Quote(s) + "]")
			}
		}
	}
	return b.String()
}

func identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r == '-' || (r >= '0' && r <= '9'))) {
			return false
		}
	}
	return true
}

// compareOutputs lists the outputs added, removed or changed, by name.
func compareOutputs(from, to *Snapshot, secrets []string) ([]OutputChange, int) {
	names := map[string]bool{}
	for n := range from.outputs {
		names[n] = true
	}
	for n := range to.outputs {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var out []OutputChange
	more := 0
	for _, n := range sorted {
		a, inA := from.outputs[n]
		b, inB := to.outputs[n]
		c := OutputChange{Name: n, Sensitive: a.Sensitive || b.Sensitive}
		switch {
		case !inA:
			c.Change = Added
		case !inB:
			c.Change = Removed
		case a.Sensitive != b.Sensitive || !reflect.DeepEqual(a.Value, b.Value) || compactJSON(a.Type) != compactJSON(b.Type):
			c.Change = Changed
		default:
			continue
		}
		if len(out) >= MaxOutputs {
			more++
			continue
		}
		c.Before, c.After = Value{Absent: true}, Value{Absent: true}
		if inA {
			c.Before = showValue(a.Value, a.Sensitive, secrets, false, AttributeRunes)
		}
		if inB {
			c.After = showValue(b.Value, b.Sensitive, secrets, false, AttributeRunes)
		}
		out = append(out, c)
	}
	return out, more
}
