package blueprint

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
)

func (v *validator) checkVariable(i int) {
	vr := &v.b.Variables[i]
	path := fmt.Sprintf("variables[%s]", vr.Name)
	if vr.Name == "" {
		path = fmt.Sprintf("variables[%d]", i)
	}
	ty := cty.DynamicPseudoType
	if vr.Type != "" {
		expr, err := parseExpr(vr.Type)
		if err != nil {
			v.d.errorf(path+".type", "invalid type constraint", "%s; write a type such as string, number, bool, list(string), map(string) or object({ name = string })", err)
		} else if t, _, diags := typeexpr.TypeConstraintWithDefaults(expr); diags.HasErrors() {
			v.d.errorf(path+".type", fmt.Sprintf("invalid type constraint %q", vr.Type), "%s; write a type such as string, number, bool, list(string), map(string) or object({ name = string })", diagsText(diags))
		} else {
			ty = t
		}
	}
	if vr.Default != nil {
		dpath := path + ".default"
		if vr.Default.Kind == ExpressionKind && !refersToSomething(*vr.Default) {
			// What ParseVariableValue could not read is kept as typed: say why, in its words.
			if _, _, ds := ParseVariableValue(dpath, vr.Default.Expr, vr.Type); ds.HasErrors() {
				v.d.list = append(v.d.list, ds...)
			} else {
				v.d.errorf(dpath, "a default must be a plain value", "Terraform needs defaults known before anything is evaluated: no references, function calls or interpolation; use a local for computed values")
			}
		} else if trs, err := vr.Default.traversals(); err != nil {
			v.d.errorf(dpath, "the default does not parse", "%s", err)
		} else if len(trs) > 0 {
			v.d.errorf(dpath, "a default cannot refer to anything", "Terraform needs defaults known before anything is evaluated; use a literal value, or a local for computed values (found %s)", traversalString(trs[0]))
		} else if vr.Default.Kind == LiteralKind && !vr.Default.Literal.IsNull() {
			v.checkLiteral(dpath, vr.Default.Literal, ty)
		}
	}
	for j, val := range vr.Validations {
		vpath := fmt.Sprintf("%s.validations[%d]", path, j)
		expr, err := parseExpr(val.Condition)
		if err != nil {
			v.d.errorf(vpath+".condition", "the condition does not parse", "%s", err)
		} else {
			self := false
			for _, t := range expr.Variables() {
				root := t.RootName()
				if root == "var" && len(t) > 1 && stepName(t[1]) == vr.Name {
					self = true
					continue
				}
				v.d.errorf(vpath+".condition", fmt.Sprintf("a validation condition may only refer to var.%s", vr.Name), "Terraform 1.5 evaluates it before anything else exists; remove the reference to %s", traversalString(t))
			}
			if !self {
				v.d.errorf(vpath+".condition", fmt.Sprintf("the condition does not refer to var.%s", vr.Name), "a validation checks the variable's own value, e.g. length(var.%s) > 0", vr.Name)
			}
		}
		if strings.TrimSpace(val.ErrorMessage) == "" {
			v.d.errorf(vpath+".error_message", "missing error message", "say what is wrong and how to fix it, as a full sentence ending in a period")
		}
	}
}

// refersToSomething reports whether v refers to something a configuration declares
// (var.x, local.y, a resource's attribute), rather than holding a bare word such as a number
// typed as many.
func refersToSomething(v Value) bool {
	trs, err := v.traversals()
	if err != nil {
		return false
	}
	for _, t := range trs {
		if len(t) > 1 {
			return true
		}
	}
	return false
}
