package catalog_test

import (
	"reflect"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

func TestTypeLabel(t *testing.T) {
	obj := cty.Object(map[string]cty.Type{"name": cty.String, "size": cty.Number})
	for _, tc := range []struct {
		ty   cty.Type
		want string
	}{
		{cty.String, "string"},
		{cty.Number, "number"},
		{cty.Bool, "bool"},
		{cty.DynamicPseudoType, "any"},
		{cty.NilType, "any"},
		{cty.List(cty.String), "list(string)"},
		{cty.Set(cty.Number), "set(number)"},
		{cty.Map(cty.Bool), "map(bool)"},
		{cty.Map(cty.List(cty.Set(cty.String))), "map(list(set(string)))"},
		{cty.List(cty.DynamicPseudoType), "list(any)"},
		{obj, "object"},
		{cty.ObjectWithOptionalAttrs(map[string]cty.Type{"name": cty.String}, []string{"name"}), "object"},
		{cty.List(obj), "list(object)"},
		{cty.Map(obj), "map(object)"},
		{cty.Tuple([]cty.Type{cty.String, cty.Number}), "tuple"},
		{cty.EmptyTuple, "tuple"},
		{cty.Capsule("handle", reflect.TypeOf(0)), "handle"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := catalog.TypeLabel(tc.ty); got != tc.want {
				t.Errorf("TypeLabel(%#v) = %q, want %q", tc.ty, got, tc.want)
			}
		})
	}
}
