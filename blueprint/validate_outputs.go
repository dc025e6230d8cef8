package blueprint

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

func (v *validator) checkOutput(i int) {
	o := &v.b.Outputs[i]
	path := fmt.Sprintf("outputs[%s]", o.Name)
	if o.Value.IsZero() {
		v.d.errorf(path+".value", "missing value", "an output needs a value, usually a reference such as azurerm_kubernetes_cluster.aks.id")
		return
	}
	v.checkValueRefs(path+".value", o.Value, nil)
	v.checkDependsOn(path+".depends_on", o.DependsOn)
	if !o.Sensitive {
		for _, t := range v.refsOf(o.Value) {
			if v.isSensitiveRef(t) {
				// terraform validate accepts it; only a plan refuses it, so it warns rather
				// than refusing an import of configuration Terraform itself accepts.
				v.d.warnf(path+".sensitive", fmt.Sprintf("output %s shows a sensitive value", o.Name), "terraform validate accepts this, but a plan will refuse it: mark the output sensitive (sensitive = true) or wrap the value in nonsensitive() (%s is sensitive)", traversalString(t))
				break
			}
		}
	}
}

// isSensitiveRef reports whether a reference reads a sensitive variable or a sensitive
// attribute of a resource.
func (v *validator) isSensitiveRef(t hcl.Traversal) bool {
	return v.sensitiveRef(t, map[string]bool{})
}

// sensitiveRef follows locals, since a local built from a sensitive value is sensitive too.
func (v *validator) sensitiveRef(t hcl.Traversal, seen map[string]bool) bool {
	if t.RootName() == "var" && len(t) > 1 {
		vr := v.variables[stepName(t[1])]
		return vr != nil && vr.Sensitive
	}
	if t.RootName() == "local" && len(t) > 1 {
		name := stepName(t[1])
		l := v.locals[name]
		if l == nil || seen[name] {
			return false
		}
		seen[name] = true
		for _, inner := range v.refsOf(l.Value) {
			if v.sensitiveRef(inner, seen) {
				return true
			}
		}
		return false
	}
	r, rest := v.resourceOf(t)
	if r == nil || len(rest) == 0 {
		return false
	}
	typ := v.cat.Lookup(kindOf(r), r.Type)
	if typ == nil {
		return false
	}
	if a := typ.Schema.Block.Attributes[stepName(rest[0])]; a != nil {
		return a.Sensitive
	}
	return false
}
