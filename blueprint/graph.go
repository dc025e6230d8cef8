package blueprint

import (
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// graph is the blueprint's dependency graph over locals, data sources, resources and module
// calls, keyed by address (local.x, data.T.N, T.N, module.x). Nodes keep document order:
// locals, then data sources, then resources, then module calls, which is the tie-break of
// every ordering derived from it.
type graph struct {
	nodes []string
	index map[string]int
	edges map[string][]string // node → the nodes it refers to, sorted, unique
	paths map[string]string   // node → its path in the blueprint, for diagnostics
}

func buildGraph(b *Blueprint) *graph {
	g := &graph{index: map[string]int{}, edges: map[string][]string{}, paths: map[string]string{}}
	add := func(addr, path string) {
		if _, dup := g.index[addr]; dup {
			return
		}
		g.index[addr] = len(g.nodes)
		g.nodes = append(g.nodes, addr)
		g.paths[addr] = path
	}
	// Locals come first: they are written in one block before the resources, so a resource
	// that uses a local must not lose its place to one that does not.
	for _, l := range b.Locals {
		add("local."+l.Name, "locals["+l.Name+"]")
	}
	for r := range b.AllResources() {
		add(r.Address(), resourcePath(r))
	}
	for _, m := range b.Modules {
		add(m.Address(), "modules["+m.Name+"]")
	}

	refs := map[string]map[string]bool{}
	link := func(from string, t hcl.Traversal) {
		to := g.target(t)
		if to == "" {
			return
		}
		if refs[from] == nil {
			refs[from] = map[string]bool{}
		}
		refs[from][to] = true
	}
	linkValue := func(from string, v *Value) {
		if v == nil {
			return
		}
		trs, _ := v.traversals()
		for _, t := range trs {
			link(from, t)
		}
	}
	linkRefs := func(from string, list []string) {
		for _, s := range list {
			if t, err := parseRef(s); err == nil {
				link(from, t)
			}
		}
	}
	for r := range b.AllResources() {
		from := r.Address()
		walkBody(r.Config, func(v *Value) { linkValue(from, v) })
		linkValue(from, r.Count)
		linkValue(from, r.ForEach)
		linkRefs(from, r.DependsOn)
		if r.Lifecycle != nil {
			linkRefs(from, r.Lifecycle.ReplaceTriggeredBy)
		}
	}
	for i := range b.Locals {
		linkValue("local."+b.Locals[i].Name, &b.Locals[i].Value)
	}
	for i := range b.Modules {
		m := &b.Modules[i]
		walkBody(m.Inputs, func(v *Value) { linkValue(m.Address(), v) })
		linkValue(m.Address(), m.Count)
		linkValue(m.Address(), m.ForEach)
		linkRefs(m.Address(), m.DependsOn)
	}
	for from, tos := range refs {
		for to := range tos {
			g.edges[from] = append(g.edges[from], to)
		}
		sort.Slice(g.edges[from], func(i, j int) bool { return g.index[g.edges[from][i]] < g.index[g.edges[from][j]] })
	}
	return g
}

// target maps a reference to the graph node it reads, or "" for variables and the like.
func (g *graph) target(t hcl.Traversal) string {
	if len(t) < 2 {
		return ""
	}
	var addr string
	switch root := t.RootName(); root {
	case "local":
		addr = "local." + stepName(t[1])
	case "data":
		if len(t) < 3 {
			return ""
		}
		addr = "data." + stepName(t[1]) + "." + stepName(t[2])
	default:
		addr = root + "." + stepName(t[1])
	}
	if _, ok := g.index[addr]; !ok {
		return ""
	}
	return addr
}

func walkBody(b Body, fn func(*Value)) {
	for i := range b.Attributes {
		fn(&b.Attributes[i].Value)
	}
	for i := range b.Blocks {
		walkBody(b.Blocks[i].Body, fn)
	}
}

// cycles returns every strongly connected component that is a cycle, each as the list of
// its nodes in document order (Tarjan's algorithm).
func (g *graph) cycles() [][]string {
	index, low := map[string]int{}, map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	next := 0
	var strong func(n string)
	strong = func(n string) {
		index[n], low[n] = next, next
		next++
		stack = append(stack, n)
		onStack[n] = true
		for _, m := range g.edges[n] {
			if _, seen := index[m]; !seen {
				strong(m)
				low[n] = min(low[n], low[m])
			} else if onStack[m] {
				low[n] = min(low[n], index[m])
			}
		}
		if low[n] != index[n] {
			return
		}
		var comp []string
		for {
			m := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[m] = false
			comp = append(comp, m)
			if m == n {
				break
			}
		}
		selfLoop := false
		for _, m := range g.edges[n] {
			selfLoop = selfLoop || m == n
		}
		if len(comp) > 1 || selfLoop {
			sort.Slice(comp, func(i, j int) bool { return g.index[comp[i]] < g.index[comp[j]] })
			out = append(out, comp)
		}
	}
	for _, n := range g.nodes {
		if _, seen := index[n]; !seen {
			strong(n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return g.index[out[i][0]] < g.index[out[j][0]] })
	return out
}

// order returns the nodes so that each comes after everything it refers to, keeping
// document order wherever dependencies allow (Kahn's algorithm, lowest index first). Nodes
// caught in a cycle come last, in document order.
func (g *graph) order() []string {
	pending := map[string]int{}
	users := map[string][]string{}
	for _, n := range g.nodes {
		for _, m := range g.edges[n] {
			if m == n {
				continue
			}
			pending[n]++
			users[m] = append(users[m], n)
		}
	}
	var ready []int
	for _, n := range g.nodes {
		if pending[n] == 0 {
			ready = append(ready, g.index[n])
		}
	}
	var out []string
	done := map[string]bool{}
	for len(ready) > 0 {
		sort.Ints(ready)
		n := g.nodes[ready[0]]
		ready = ready[1:]
		out = append(out, n)
		done[n] = true
		for _, u := range users[n] {
			pending[u]--
			if pending[u] == 0 {
				ready = append(ready, g.index[u])
			}
		}
	}
	for _, n := range g.nodes {
		if !done[n] {
			out = append(out, n)
		}
	}
	return out
}

func (v *validator) checkCycles() {
	g := buildGraph(v.b)
	for _, c := range g.cycles() {
		if len(c) == 1 && !strings.HasPrefix(c[0], "local.") {
			continue // a resource reading itself is reported where the reference is
		}
		if slices.ContainsFunc(c, func(n string) bool { return strings.HasPrefix(n, "module.") }) {
			// Terraform orders a module's inputs and outputs one by one, so a loop through
			// a module call is a cycle only if its outputs read those inputs, which the
			// blueprint cannot see.
			continue
		}
		loop := append(append([]string(nil), c...), c[0])
		v.d.errorf(g.paths[c[0]], "reference cycle", "%s refer to each other in a loop (%s); break the loop by removing one of the references", strings.Join(c, ", "), strings.Join(loop, " → "))
	}
}
