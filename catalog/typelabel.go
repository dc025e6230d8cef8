package catalog

import "github.com/zclconf/go-cty/cty"

// TypeLabel names an argument's type for people, the way Terraform's docs write it:
// string, list(string), map(number), set(list(string)). Objects and tuples are "object" and
// "tuple" without their attributes, which the argument reference lists on their own, and a
// dynamic or missing type is "any". The editor's fields and the type page both label
// arguments with it.
func TypeLabel(ty cty.Type) string {
	switch {
	case ty == cty.DynamicPseudoType || ty == cty.NilType:
		return "any"
	case ty.IsPrimitiveType():
		return ty.FriendlyName()
	case ty.IsListType():
		return "list(" + TypeLabel(ty.ElementType()) + ")"
	case ty.IsSetType():
		return "set(" + TypeLabel(ty.ElementType()) + ")"
	case ty.IsMapType():
		return "map(" + TypeLabel(ty.ElementType()) + ")"
	case ty.IsObjectType():
		return "object"
	case ty.IsTupleType():
		return "tuple"
	}
	return ty.FriendlyName()
}
