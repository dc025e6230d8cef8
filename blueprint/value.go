package blueprint

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/zclconf/go-cty/cty"
)

// ValueKind says how a Value is written.
type ValueKind string

const (
	// LiteralKind is plain data: string, number, bool, null, or lists and maps of those.
	LiteralKind ValueKind = "literal"
	// ReferenceKind is a reference to something the configuration declares: var.x, local.x,
	// azurerm_resource_group.main.name, data.azurerm_client_config.current.tenant_id,
	// azurerm_kubernetes_cluster.aks.kube_config[0].host.
	ReferenceKind ValueKind = "ref"
	// ExpressionKind is any HCL expression, kept as the author wrote it; it must parse.
	ExpressionKind ValueKind = "expr"
	// ListKind is a list whose items are Values of any kind: [var.cidr, "10.1.0.0/16"].
	ListKind ValueKind = "list"
	// MapKind is a map whose values are Values of any kind: { env = var.env }.
	MapKind ValueKind = "map"
)

// Value is a typed argument value. Exactly the field its Kind names is meaningful.
type Value struct {
	Kind    ValueKind
	Literal cty.Value        // LiteralKind; built by the constructors, never cty.NilVal
	Ref     string           // ReferenceKind
	Expr    string           // ExpressionKind
	List    []Value          // ListKind
	Map     map[string]Value // MapKind; generated with keys sorted
}

// String makes a string literal.
func String(s string) Value { return Value{Kind: LiteralKind, Literal: cty.StringVal(s)} }

// Number makes a number literal.
func Number(f float64) Value { return Value{Kind: LiteralKind, Literal: cty.NumberFloatVal(f)} }

// Int makes a whole-number literal.
func Int(i int64) Value { return Value{Kind: LiteralKind, Literal: cty.NumberIntVal(i)} }

// Bool makes a bool literal.
func Bool(b bool) Value { return Value{Kind: LiteralKind, Literal: cty.BoolVal(b)} }

// Null makes the null literal.
func Null() Value { return Value{Kind: LiteralKind, Literal: cty.NullVal(cty.DynamicPseudoType)} }

// Literal makes a literal from a cty value: known, of primitive, tuple or object type.
func Literal(v cty.Value) Value { return Value{Kind: LiteralKind, Literal: v} }

// Ref makes a reference: Ref("var.location").
func Ref(traversal string) Value { return Value{Kind: ReferenceKind, Ref: traversal} }

// Expr makes a raw HCL expression: Expr(`merge(var.tags, { env = "dev" })`).
func Expr(src string) Value { return Value{Kind: ExpressionKind, Expr: src} }

// List makes a list of values.
func List(items ...Value) Value { return Value{Kind: ListKind, List: items} }

// Map makes a map of values.
func Map(m map[string]Value) Value { return Value{Kind: MapKind, Map: m} }

// IsZero reports whether v was never set.
func (v Value) IsZero() bool { return v.Kind == "" }

// SortedKeys returns the keys of a MapKind value in generation order.
func (v Value) SortedKeys() []string {
	keys := make([]string, 0, len(v.Map))
	for k := range v.Map {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// literalFromJSON turns decoded JSON (with json.Number numbers) into a cty literal: arrays
// become tuples and objects become objects, so mixed element types survive until validation
// converts them to the attribute's type.
func literalFromJSON(x any) (cty.Value, error) {
	switch x := x.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), nil
	case string:
		return cty.StringVal(x), nil
	case bool:
		return cty.BoolVal(x), nil
	case interface{ String() string }: // json.Number
		f, _, err := big.ParseFloat(x.String(), 10, 512, big.ToNearestEven)
		if err != nil {
			return cty.NilVal, fmt.Errorf("number %s: %w", x.String(), err)
		}
		// Terraform writes numbers out in full; a number like 1e999999999 would be a
		// billion digits. Keep to what a float64 can hold.
		if exp := f.MantExp(nil); f.IsInf() || exp > 1024 || exp < -1074 && f.Sign() != 0 {
			return cty.NilVal, fmt.Errorf("number %s is out of range", x.String())
		}
		return cty.NumberVal(f), nil
	case []any:
		if len(x) == 0 {
			return cty.EmptyTupleVal, nil
		}
		vals := make([]cty.Value, len(x))
		for i, item := range x {
			v, err := literalFromJSON(item)
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = v
		}
		return cty.TupleVal(vals), nil
	case map[string]any:
		if len(x) == 0 {
			return cty.EmptyObjectVal, nil
		}
		vals := make(map[string]cty.Value, len(x))
		for k, item := range x {
			v, err := literalFromJSON(item)
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		return cty.ObjectVal(vals), nil
	}
	return cty.NilVal, fmt.Errorf("unsupported JSON value %T", x)
}

// literalToJSON is the inverse of literalFromJSON for values it produced (and for lists, sets
// and maps built in Go).
func literalToJSON(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsKnown() {
		return nil, fmt.Errorf("a literal must be known")
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty == cty.Number:
		return jsonNumber(v.AsBigFloat().Text('f', -1)), nil
	case ty.IsTupleType() || ty.IsListType() || ty.IsSetType():
		out := []any{}
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			j, err := literalToJSON(ev)
			if err != nil {
				return nil, err
			}
			out = append(out, j)
		}
		return out, nil
	case ty.IsObjectType() || ty.IsMapType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			j, err := literalToJSON(ev)
			if err != nil {
				return nil, err
			}
			out[k.AsString()] = j
		}
		return out, nil
	}
	return nil, fmt.Errorf("a literal cannot be of type %s", ty.FriendlyName())
}

// jsonNumber marshals as a bare JSON number.
type jsonNumber string

func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }
