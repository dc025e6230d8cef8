package blueprint

import "sort"

// Dependency is one edge of a blueprint's dependency graph: From refers to To, so To is
// created first. Both are addresses: local.x, data.T.N or T.N.
type Dependency struct {
	From, To string
}

// Dependencies returns the blueprint's dependency graph over locals, data sources and
// resources. Nodes come in creation order (each after everything it refers to, document
// order wherever dependencies allow; nodes caught in a cycle last). Edges come from
// references in arguments, count, for_each, depends_on and replace_triggered_by; they are
// unique, sorted by the position of From in nodes and then of To, and leave out a node
// referring to itself, which orders nothing (validation reports it).
func Dependencies(b *Blueprint) (nodes []string, edges []Dependency) {
	g := buildGraph(b)
	nodes = g.order()
	pos := make(map[string]int, len(nodes))
	for i, n := range nodes {
		pos[n] = i
	}
	for _, from := range nodes {
		for _, to := range g.edges[from] {
			if to != from {
				edges = append(edges, Dependency{From: from, To: to})
			}
		}
	}
	sort.Slice(edges, func(i, j int) bool {
		if a, b := pos[edges[i].From], pos[edges[j].From]; a != b {
			return a < b
		}
		return pos[edges[i].To] < pos[edges[j].To]
	})
	return nodes, edges
}
