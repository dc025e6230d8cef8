package upgrade

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/cloudoven/cloudoven/catalog"
)

// lastName is a schema path's last name: default_node_pool.auto_scaling_enabled →
// auto_scaling_enabled.
func lastName(path string) string {
	return path[strings.LastIndex(path, ".")+1:]
}

// checkAttrRename keeps an argument rename mechanical only when the new name is free in
// the block and the value, when it is a literal, has the new argument's type.
func (a *analysis) checkAttrRename(it *held, u *catalog.Upgrade, body *hclsyntax.Body, schema *tfjson.SchemaBlock) {
	to := lastName(u.Replacements[0])
	sa := schema.Attributes[to]
	switch {
	case sa == nil:
		it.Mechanical, it.NotMechanical = false, fmt.Sprintf("%s is not an argument of this block", to)
	case body.Attributes[to] != nil:
		it.Mechanical, it.NotMechanical = false, fmt.Sprintf("the block already sets %s", to)
	default:
		if problem := literalFits(body.Attributes[it.at.attr].Expr, sa); problem != "" {
			it.Mechanical, it.NotMechanical = false, fmt.Sprintf("%s: %s", to, problem)
		}
	}
}

// checkBlockRename keeps a block rename mechanical only when the new block takes the held
// block's content as it is.
func (a *analysis) checkBlockRename(it *held, u *catalog.Upgrade, blk *hclsyntax.Block, body *hclsyntax.Body, schema *tfjson.SchemaBlock) {
	to := lastName(u.Replacements[0])
	nb := schema.NestedBlocks[to]
	if nb == nil || nb.Block == nil {
		it.Mechanical, it.NotMechanical = false, fmt.Sprintf("%s is not a block of this block", to)
		return
	}
	if problems := fits(blk.Body, nb.Block, false); len(problems) > 0 {
		it.Mechanical, it.NotMechanical = false, fmt.Sprintf("%s does not take this block as it is: %s", to, strings.Join(problems, "; "))
		return
	}
	it.target = nb.Block
}

// fits lists what keeps body from being valid under schema: names it does not have, what
// it requires and body does not set, literals of the wrong type. top allows meta-arguments.
func fits(body *hclsyntax.Body, schema *tfjson.SchemaBlock, top bool) []string {
	var problems []string
	names := make([]string, 0, len(body.Attributes))
	for n := range body.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sa := schema.Attributes[n]
		switch {
		case top && isMeta(n):
		case sa == nil:
			problems = append(problems, fmt.Sprintf("it has no argument %s", n))
		case !sa.Optional && !sa.Required:
			problems = append(problems, fmt.Sprintf("%s is computed, not set", n))
		default:
			if p := literalFits(body.Attributes[n].Expr, sa); p != "" {
				problems = append(problems, fmt.Sprintf("%s: %s", n, p))
			}
		}
	}
	present := map[string]bool{}
	for _, blk := range body.Blocks {
		name := blk.Type
		if name == "dynamic" && len(blk.Labels) == 1 {
			name = blk.Labels[0]
		}
		present[name] = true
		nb := schema.NestedBlocks[name]
		switch {
		case top && isMeta(blk.Type), blk.Type == "dynamic" && nb != nil:
		case nb != nil && nb.Block != nil:
			for _, p := range fits(blk.Body, nb.Block, false) {
				problems = append(problems, name+": "+p)
			}
		case schema.Attributes[name] != nil:
		default:
			problems = append(problems, fmt.Sprintf("it has no block %s", name))
		}
	}
	var required []string
	for n, sa := range schema.Attributes {
		if sa.Required && body.Attributes[n] == nil {
			required = append(required, fmt.Sprintf("it requires %s", n))
		}
	}
	for n, nb := range schema.NestedBlocks {
		if nb.MinItems > 0 && !present[n] {
			required = append(required, fmt.Sprintf("it requires block %s", n))
		}
	}
	sort.Strings(required)
	return append(problems, required...)
}

// literalFits says why a literal value cannot be the attribute's; "" when it can, or when
// the value is not known before apply (a reference, a function call).
func literalFits(expr hclsyntax.Expression, sa *tfjson.SchemaAttribute) string {
	if expr == nil || len(expr.Variables()) > 0 || sa.AttributeType == cty.NilType {
		return ""
	}
	if _, isCall := expr.(*hclsyntax.FunctionCallExpr); isCall {
		return ""
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return ""
	}
	if _, err := convert.Convert(v, sa.AttributeType); err != nil {
		return fmt.Sprintf("takes %s, not this value", sa.AttributeType.FriendlyName())
	}
	return ""
}
