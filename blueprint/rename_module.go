package blueprint

import "fmt"

// RenameModule renames the module call named from to the name to, and rewrites every
// reference to it (module.from.output, module.from[0].output, depends_on = [module.from])
// the way RenameResource does for a resource. It returns how many references it rewrote.
// When to is not a valid name, or another call has it, it returns an error and b is
// unchanged.
func RenameModule(b *Blueprint, from, to string) (int, error) {
	m := b.Module(from)
	if m == nil {
		return 0, fmt.Errorf("renaming module %s: no module call %s in the blueprint", from, from)
	}
	if !validIdentifier(to) {
		return 0, fmt.Errorf("renaming module %s: invalid name %q: a name starts with a letter or underscore and holds only letters, digits, underscores and dashes, e.g. %q", from, to, suggestIdentifier(to))
	}
	if to == from {
		return 0, nil
	}
	if b.Module(to) != nil {
		return 0, fmt.Errorf("renaming module %s: the name %s is taken by another module call", from, to)
	}
	m.Name = to
	rn := renamer{search: []string{"module", from}, replace: []string{"module", to}}
	rn.blueprint(b)
	return rn.count, nil
}
