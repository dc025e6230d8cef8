// Importing variable, locals and output blocks.

package blueprint

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func (im *importer) variable(blk *hclsyntax.Block) {
	if !im.wantLabels(blk, 1, labelPath("variables", blk)) {
		return
	}
	v := Variable{Name: blk.Labels[0]}
	p := "variables[" + v.Name + "]"
	if !im.declare(p, blk.DefRange()) {
		return
	}
	for _, a := range sortedAttrs(blk.Body) {
		ap := p + "." + a.Name
		switch a.Name {
		case "type":
			v.Type = im.exprSource(a.Expr)
			if t, ok := im.quotedType(ap, a.Expr); ok {
				v.Type = t
			}
		case "default":
			val := im.value(a.Expr)
			v.Default = &val
		case "description":
			s, ok := im.literalString(a.Expr)
			if !ok {
				im.warn(ap, a.SrcRange, "description skipped", "a description must be a literal string")
				continue
			}
			v.Description = s
		case "sensitive":
			b, ok := im.literalBool(a.Expr)
			if !ok {
				im.err(ap, a.SrcRange, "sensitive must be true or false", "write a literal bool")
				continue
			}
			v.Sensitive = b
		case "nullable":
			b, ok := im.literalBool(a.Expr)
			if !ok {
				im.err(ap, a.SrcRange, "nullable must be true or false", "write a literal bool")
				continue
			}
			v.Nullable = &b
		default:
			im.warn(ap, a.SrcRange, "variable argument skipped", "blueprint variables have no %s", a.Name)
		}
	}
	for _, sub := range blk.Body.Blocks {
		sp := labelPath(p+"."+sub.Type, sub)
		if sub.Type != "validation" || len(sub.Labels) != 0 {
			im.warn(sp, sub.DefRange(), "block skipped", "blueprint variables hold only validation blocks")
			continue
		}
		var val VariableValidation
		ok := true
		for _, a := range sortedAttrs(sub.Body) {
			switch a.Name {
			case "condition":
				val.Condition = im.exprSource(a.Expr)
			case "error_message":
				s, lit := im.literalString(a.Expr)
				if !lit {
					im.warn(sp+".error_message", a.SrcRange, "validation skipped", "the error message must be a literal string")
					ok = false
					continue
				}
				val.ErrorMessage = s
			default:
				im.warn(sp+"."+a.Name, a.SrcRange, "validation argument skipped", "validation blocks hold condition and error_message")
			}
		}
		for _, b := range sub.Body.Blocks {
			im.warn(sp+"."+b.Type, b.DefRange(), "block skipped", "validation blocks hold no blocks")
		}
		if ok && val.Condition != "" {
			v.Validations = append(v.Validations, val)
		} else if val.Condition == "" {
			im.warn(sp, sub.DefRange(), "validation skipped", "it has no condition")
		}
	}
	im.b.Variables = append(im.b.Variables, v)
}

func (im *importer) locals(blk *hclsyntax.Block) {
	if len(blk.Labels) != 0 {
		im.err(labelPath("locals", blk), blk.DefRange(), "wrong number of labels", "a locals block takes no labels")
		return
	}
	for _, a := range sortedAttrs(blk.Body) {
		p := "locals[" + a.Name + "]"
		if !im.declare(p, a.SrcRange) {
			continue
		}
		im.b.Locals = append(im.b.Locals, Local{Name: a.Name, Value: im.value(a.Expr)})
	}
	for _, sub := range blk.Body.Blocks {
		im.warn(labelPath("locals."+sub.Type, sub), sub.DefRange(), "block skipped", "a locals block holds only arguments")
	}
}

func (im *importer) output(blk *hclsyntax.Block) {
	if !im.wantLabels(blk, 1, labelPath("outputs", blk)) {
		return
	}
	o := Output{Name: blk.Labels[0]}
	p := "outputs[" + o.Name + "]"
	if !im.declare(p, blk.DefRange()) {
		return
	}
	hasValue := false
	for _, a := range sortedAttrs(blk.Body) {
		ap := p + "." + a.Name
		switch a.Name {
		case "value":
			o.Value, hasValue = im.value(a.Expr), true
		case "description":
			s, ok := im.literalString(a.Expr)
			if !ok {
				im.warn(ap, a.SrcRange, "description skipped", "a description must be a literal string")
				continue
			}
			o.Description = s
		case "sensitive":
			b, ok := im.literalBool(a.Expr)
			if !ok {
				im.err(ap, a.SrcRange, "sensitive must be true or false", "write a literal bool")
				continue
			}
			o.Sensitive = b
		case "depends_on":
			o.DependsOn = im.traversalList(ap, a.Expr, true)
		default:
			im.warn(ap, a.SrcRange, "output argument skipped", "blueprint outputs have no %s", a.Name)
		}
	}
	for _, sub := range blk.Body.Blocks {
		im.warn(labelPath(p+"."+sub.Type, sub), sub.DefRange(), "block skipped", "blueprint outputs hold no %s blocks", sub.Type)
	}
	if !hasValue {
		im.err(p, blk.DefRange(), "output without a value", "add value = ...")
		return
	}
	im.b.Outputs = append(im.b.Outputs, o)
}
