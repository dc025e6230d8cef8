package form

import (
	"strconv"
	"strings"
)

// Every input the editor posts is named by a key, built here and read back here, so the
// templates that write a name and the handlers that read it share one definition.
//
//	location, default_node_pool[0].vm_size   a field: the argument's path in the body
//	default_node_pool, ….upgrade_settings    a block type (its add button)
//	default_node_pool[0]                     a block instance (its remove button)
//	default_node_pool#n                      how many instances of the block type the form holds
//	location:mode                            the field's mode: value, ref or expr
//	@name, @count, @for_each, …              a resource's name and meta-arguments
//	v[2].default, v#n                        a cell of a row table, and how many rows it has
const (
	countSuffix = "#n"
	modeSuffix  = ":mode"
	metaPrefix  = "@"
)

// JoinKey is the key of name inside the body or row at prefix (default_node_pool[0].vm_size,
// v[2].name), or name alone when prefix is "" (the top of a body).
func JoinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// InstanceKey is the key of the i-th instance of the block type at key, or of a row table's
// i-th row: default_node_pool[0], v[2].
func InstanceKey(key string, i int) string { return key + "[" + strconv.Itoa(i) + "]" }

// ParseInstanceKey splits an instance key into the key of its block type and its index:
// default_node_pool[0].upgrade_settings[1] gives default_node_pool[0].upgrade_settings and 1.
// ok is false for anything InstanceKey does not write of a well-formed key.
func ParseInstanceKey(key string) (block string, i int, ok bool) {
	indexed, valid := checkKey(key)
	if !valid || !indexed {
		return "", 0, false
	}
	open := strings.LastIndexByte(key, '[')
	_, i, _, _ = cutIndex(key[open:])
	return key[:open], i, true
}

// CountKey names the input holding how many instances of the block type at key, or rows of
// a table, the form holds: default_node_pool#n, v#n.
func CountKey(key string) string { return key + countSuffix }

// ModeKey names the input holding the mode of the field at key: location:mode.
func ModeKey(key string) string { return key + modeSuffix }

// ParseModeKey is the field key of a mode input's name (location:mode gives location); ok is
// false for the name of any other input.
func ParseModeKey(name string) (key string, ok bool) {
	key, ok = strings.CutSuffix(name, modeSuffix)
	return key, ok && key != ""
}

// Keys of a resource's name and meta-arguments, shown beside its config's fields. They start
// with @, which no argument name does.
const (
	MetaName      = metaPrefix + "name"
	MetaCount     = metaPrefix + "count"
	MetaForEach   = metaPrefix + "for_each"
	MetaDependsOn = metaPrefix + "depends_on"
	MetaProvider  = metaPrefix + "provider"
)

// MetaKey is the key of the input for a resource's name or meta-argument arg (name, count,
// for_each, depends_on, provider); false for anything the form has no input for, such as
// lifecycle.
func MetaKey(arg string) (string, bool) {
	switch k := metaPrefix + arg; k {
	case MetaName, MetaCount, MetaForEach, MetaDependsOn, MetaProvider:
		return k, true
	}
	return "", false
}

// Table is one of the editor's row tables, named by the prefix of its keys.
type Table string

const (
	VariablesTable         Table = "v"
	LocalsTable            Table = "l"
	OutputsTable           Table = "o"
	RequiredProvidersTable Table = "rp"
)

// CountKey names the input holding how many rows the table submitted: v#n.
func (t Table) CountKey() string { return CountKey(string(t)) }

// RowKey is the key of the table's i-th row: v[2].
func (t Table) RowKey(i int) string { return InstanceKey(string(t), i) }

// FieldKey is the key of the cell field of the table's i-th row: v[2].default.
func (t Table) FieldKey(i int, field string) string { return JoinKey(t.RowKey(i), field) }

// checkKey reports whether key is well formed: names joined by dots, each step but the last
// an instance (default_node_pool[0].upgrade_settings[1].drain_timeout), and whether its last
// step is an instance too.
func checkKey(key string) (indexed, ok bool) {
	for {
		step, rest, more := strings.Cut(key, ".")
		name, _, hasIndex, valid := cutIndex(step)
		if !valid || name == "" || strings.ContainsAny(name, "[]") {
			return false, false
		}
		if !more {
			return hasIndex, true
		}
		if !hasIndex {
			return false, false
		}
		key = rest
	}
}

// cutIndex splits a step into its name and the index that follows it, if one does:
// identity[0] gives identity, 0 and true; identity gives identity and false. valid is false
// for a malformed index.
func cutIndex(step string) (name string, i int, indexed, valid bool) {
	if !strings.HasSuffix(step, "]") {
		return step, 0, false, true
	}
	open := strings.LastIndexByte(step, '[')
	if open < 0 {
		return "", 0, false, false
	}
	i, ok := parseIndex(step[open+1 : len(step)-1])
	if !ok {
		return "", 0, false, false
	}
	return step[:open], i, true, true
}

// parseIndex reads an index as InstanceKey and the ops write it: decimal digits, no sign,
// no leading zero, within an int.
func parseIndex(s string) (int, bool) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(s)
	return i, err == nil
}
