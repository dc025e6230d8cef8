package blueprint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// A Value's JSON form is an object with exactly one key naming its kind:
//
//	{"literal": "westeurope"}  {"literal": ["10.0.0.0/16"]}  {"literal": {"env": "dev"}}
//	{"ref": "azurerm_resource_group.main.name"}
//	{"expr": "merge(var.tags, { team = \"payments\" })"}
//	{"list": [{"ref": "var.cidr"}, {"literal": "10.1.0.0/16"}]}
//	{"map": {"env": {"ref": "var.env"}}}
//
// A Body's JSON form is an object whose keys are attribute names (each a Value object) or
// nested block types (each a JSON array of bodies, one per block), in the author's order:
//
//	{"name": {"literal": "system"}, "default_node_pool": [{"vm_size": {"literal": "Standard_D4s_v5"}}]}

const valueShape = `an object with one key: "literal", "ref", "expr", "list" or "map"`

func decodeOptionalValue(raw json.RawMessage, path string) (*Value, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	v, err := decodeValue(raw, path)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func isAbsent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func decodeValue(raw json.RawMessage, path string) (Value, error) {
	if isAbsent(raw) {
		return Value{}, docErr(path, "missing value: expected %s", valueShape)
	}
	n, err := readJSON(raw)
	if err != nil {
		return Value{}, docErr(path, "%v", err)
	}
	return decodeValueNode(n, path)
}

func decodeValueNode(n *jsonNode, path string) (Value, error) {
	if n.kind == nodeNull {
		return Value{}, docErr(path, "missing value: expected %s", valueShape)
	}
	if n.kind != nodeObject {
		return Value{}, docErr(path, "expected %s, got %s", valueShape, n.describe())
	}
	m, keys := n.lastByKey()
	if len(keys) != 1 {
		quoted := make([]string, len(keys))
		for i, k := range keys {
			quoted[i] = fmt.Sprintf("%q", k)
		}
		sort.Strings(quoted)
		return Value{}, docErr(path, "expected %s, got keys [%s]", valueShape, strings.Join(quoted, ", "))
	}
	kind, inner := keys[0], m[keys[0]]
	switch ValueKind(kind) {
	case LiteralKind:
		lit, err := literalFromJSON(inner.any())
		if err != nil {
			return Value{}, docErr(path, "literal: %v", err)
		}
		return Literal(lit), nil
	case ReferenceKind, ExpressionKind:
		// null reads as "", as encoding/json reads it into a string.
		if inner.kind != nodeString && inner.kind != nodeNull {
			return Value{}, docErr(path, "%q must be a JSON string, got %s", kind, inner.describe())
		}
		if kind == string(ReferenceKind) {
			return Ref(inner.str), nil
		}
		return Expr(inner.str), nil
	case ListKind:
		if inner.kind != nodeArray && inner.kind != nodeNull {
			return Value{}, docErr(path, "\"list\" must be a JSON array of values, got %s", inner.describe())
		}
		out := Value{Kind: ListKind, List: []Value{}}
		for i, item := range inner.vals {
			v, err := decodeValueNode(item, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return Value{}, err
			}
			out.List = append(out.List, v)
		}
		return out, nil
	case MapKind:
		if inner.kind != nodeObject && inner.kind != nodeNull {
			return Value{}, docErr(path, "\"map\" must be a JSON object of values, got %s", inner.describe())
		}
		items, order := inner.lastByKey()
		out := Value{Kind: MapKind, Map: map[string]Value{}}
		for _, k := range order {
			v, err := decodeValueNode(items[k], fmt.Sprintf("%s[%q]", path, k))
			if err != nil {
				return Value{}, err
			}
			out.Map[k] = v
		}
		return out, nil
	}
	return Value{}, docErr(path, "unknown value kind %q: expected %s (a nested block is written as a list of objects: [{...}])", kind, valueShape)
}

// decodeJSON decodes raw JSON keeping numbers exact (json.Number).
func decodeJSON(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	return x, nil
}

// decodeLiteral decodes raw JSON into a literal.
func decodeLiteral(raw json.RawMessage) (cty.Value, error) {
	x, err := decodeJSON(raw)
	if err != nil {
		return cty.NilVal, err
	}
	return literalFromJSON(x)
}

func decodeBody(raw json.RawMessage, path string) (Body, error) {
	if isAbsent(raw) {
		return Body{}, nil
	}
	n, err := readJSON(raw)
	if err != nil {
		return Body{}, docErr(path, "%v", err)
	}
	return decodeBodyNode(n, path)
}

func decodeBodyNode(n *jsonNode, path string) (Body, error) {
	var b Body
	switch n.kind {
	case nodeNull:
		return b, nil
	case nodeObject:
	default:
		return b, docErr(path, "expected an object of attributes and blocks, got %s", n.describe())
	}
	seen := map[string]bool{}
	for i, name := range n.keys {
		item := n.vals[i]
		if seen[name] {
			return b, docErr(path+"."+name, "given twice; write each attribute once and all blocks of a type in one list")
		}
		seen[name] = true
		switch item.kind {
		case nodeObject:
			v, err := decodeValueNode(item, path+"."+name)
			if err != nil {
				return b, err
			}
			b.Attributes = append(b.Attributes, Attribute{Name: name, Value: v})
		case nodeArray:
			for j, body := range item.vals {
				inner, err := decodeBodyNode(body, fmt.Sprintf("%s.%s[%d]", path, name, j))
				if err != nil {
					return b, err
				}
				b.Blocks = append(b.Blocks, Block{Type: name, Body: inner})
			}
		default:
			return b, docErr(path+"."+name, "expected a value (%s) or a list of blocks, got %s", valueShape, item.describe())
		}
	}
	return b, nil
}

// MarshalJSON writes the one-key object form.
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.Kind {
	case LiteralKind:
		if v.Literal == cty.NilVal {
			return nil, fmt.Errorf("literal value is not set")
		}
		j, err := literalToJSON(v.Literal)
		if err != nil {
			return nil, err
		}
		return json.Marshal(map[string]any{"literal": j})
	case ReferenceKind:
		return json.Marshal(map[string]string{"ref": v.Ref})
	case ExpressionKind:
		return json.Marshal(map[string]string{"expr": v.Expr})
	case ListKind:
		items := v.List
		if items == nil {
			items = []Value{}
		}
		return json.Marshal(map[string][]Value{"list": items})
	case MapKind:
		m := v.Map
		if m == nil {
			m = map[string]Value{}
		}
		return json.Marshal(map[string]map[string]Value{"map": m})
	}
	return nil, fmt.Errorf("value of unknown kind %q", v.Kind)
}

// MarshalJSON writes attributes in order, then blocks grouped by type in order of first
// appearance (the document form cannot interleave block types).
func (b Body) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	key := func(name string) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(name)
		buf.Write(k)
		buf.WriteByte(':')
	}
	for _, a := range b.Attributes {
		val, err := json.Marshal(a.Value)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		key(a.Name)
		buf.Write(val)
	}
	var order []string
	groups := map[string][]Body{}
	for _, blk := range b.Blocks {
		if _, ok := groups[blk.Type]; !ok {
			order = append(order, blk.Type)
		}
		groups[blk.Type] = append(groups[blk.Type], blk.Body)
	}
	for _, typ := range order {
		val, err := json.Marshal(groups[typ])
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", typ, err)
		}
		key(typ)
		buf.Write(val)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
