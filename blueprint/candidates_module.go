package blueprint

import (
	"sort"
	"strings"
)

// moduleCandidates offers the outputs of module calls to the argument arg of from. A
// local module's outputs are known from its carried files, and fit by name as a resource's
// attributes do; a module whose outputs are unknown (a registry module) is offered as
// module.NAME, to be completed by hand. Calls that depend on from are left out.
func moduleCandidates(b *Blueprint, arg, from string, dependents map[string]bool) []Candidate {
	mi := newModuleIndex(b)
	var out []Candidate
	for i := range b.Modules {
		m := &b.Modules[i]
		addr := m.Address()
		if addr == from || dependents[addr] {
			continue
		}
		outputs, known := mi.moduleOutputs(m)
		if !known || m.ForEach != nil {
			out = append(out, Candidate{Ref: addr, Kind: "module", Score: 5})
			continue
		}
		prefix := addr
		if m.Count != nil {
			prefix += "[0]"
		}
		names := keys(outputs)
		sort.Strings(names)
		for _, name := range names {
			out = append(out, Candidate{Ref: prefix + "." + name, Kind: "module", Score: outputFit(arg, name)})
		}
	}
	return out
}

// outputFit scores how well a module output suits an argument: the same name best, then an
// output that differs only by a plural, one that ends like it (subnet_id for vnet_subnet_id),
// then any output.
func outputFit(arg, output string) int {
	switch {
	case output == arg:
		return 95
	case strings.TrimSuffix(output, "s") == strings.TrimSuffix(arg, "s"):
		return 80 // subnet_ids for subnet_id: the picker wraps or indexes it
	case strings.HasSuffix(arg, "_"+output) || strings.HasSuffix(output, "_"+arg):
		return 70
	case strings.HasSuffix(arg, "_id") && strings.HasSuffix(output, "_id"):
		return 35
	}
	return 15
}
