package blueprint

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func (im *importer) resource(blk *hclsyntax.Block, mode Mode) {
	list := "resources"
	if mode == DataMode {
		list = "data"
	}
	if !im.wantLabels(blk, 2, labelPath(list, blk)) {
		return
	}
	r := Resource{Mode: mode, Type: blk.Labels[0], Name: blk.Labels[1]}
	p := resourcePath(&r)
	if !im.declare(p, blk.DefRange()) {
		return
	}
	meta := map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true, "lifecycle": true, "provisioner": true, "connection": true}
	for _, a := range sortedAttrs(blk.Body) {
		ap := p + "." + a.Name
		switch a.Name {
		case "count":
			v := im.value(a.Expr)
			r.Count = &v
		case "for_each":
			v := im.value(a.Expr)
			r.ForEach = &v
		case "provider":
			if t, ok := im.traversal(a.Expr); ok {
				r.Provider = t
			} else if t, ok := im.quotedReference(ap, a.Expr); ok {
				r.Provider = t
			} else {
				im.err(ap, a.SrcRange, "provider must be a provider address", "write it as name or name.alias")
			}
		case "depends_on":
			r.DependsOn = im.traversalList(ap, a.Expr, true)
		case "lifecycle", "provisioner", "connection":
			im.warn(ap, a.SrcRange, "argument skipped", "%s is a block, not an argument", a.Name)
		}
	}
	for _, sub := range blk.Body.Blocks {
		sp := labelPath(p+"."+sub.Type, sub)
		switch sub.Type {
		case "lifecycle":
			if r.Lifecycle != nil {
				im.err(sp, sub.DefRange(), "duplicate lifecycle block", "merge the lifecycle blocks")
				continue
			}
			if lc := im.lifecycle(sp, sub); !lc.empty() {
				r.Lifecycle = lc
			}
		case "provisioner", "connection":
			im.warn(sp, sub.DefRange(), sub.Type+" block skipped", "blueprints do not run provisioners")
		}
	}
	r.Config = im.body(p, blk.Body, meta)
	im.b.AddResource(r)
}

func (im *importer) lifecycle(p string, blk *hclsyntax.Block) *Lifecycle {
	lc := &Lifecycle{}
	for _, a := range sortedAttrs(blk.Body) {
		ap := p + "." + a.Name
		switch a.Name {
		case "create_before_destroy", "prevent_destroy":
			b, ok := im.literalBool(a.Expr)
			if !ok {
				im.err(ap, a.SrcRange, a.Name+" must be true or false", "write a literal bool")
				continue
			}
			if a.Name == "create_before_destroy" {
				lc.CreateBeforeDestroy = b
			} else {
				lc.PreventDestroy = b
			}
		case "ignore_changes":
			if hcl.ExprAsKeyword(a.Expr) == "all" {
				lc.IgnoreChanges = []string{"all"}
				continue
			}
			lc.IgnoreChanges = im.traversalList(ap, a.Expr, true)
		case "replace_triggered_by":
			lc.ReplaceTriggeredBy = im.traversalList(ap, a.Expr, false)
		default:
			im.warn(ap, a.SrcRange, "lifecycle argument skipped", "blueprints have no lifecycle %s", a.Name)
		}
	}
	for _, sub := range blk.Body.Blocks {
		im.warn(labelPath(p+"."+sub.Type, sub), sub.DefRange(), "block skipped", "blueprints have no lifecycle %s blocks", sub.Type)
	}
	return lc
}

// body converts a configuration body: attributes in source order, then nested blocks in
// source order. Names in skip are handled by the caller.
func (im *importer) body(p string, b *hclsyntax.Body, skip map[string]bool) Body {
	var out Body
	for _, a := range sortedAttrs(b) {
		if skip[a.Name] {
			continue
		}
		out.Attributes = append(out.Attributes, Attribute{Name: a.Name, Value: im.value(a.Expr)})
	}
	index := map[string]int{}
	for _, sub := range b.Blocks {
		if skip[sub.Type] {
			continue
		}
		sp := fmt.Sprintf("%s.%s[%d]", p, sub.Type, index[sub.Type])
		switch {
		case sub.Type == "dynamic":
			im.warn(labelPath(p+".dynamic", sub), sub.DefRange(), "dynamic block skipped", "blueprints write nested blocks out one by one")
			continue
		case len(sub.Labels) > 0:
			im.warn(labelPath(p+"."+sub.Type, sub), sub.DefRange(), "labeled block skipped", "blueprints hold only nested blocks without labels")
			continue
		case !validIdentifier(sub.Type):
			im.warn(sp, sub.DefRange(), "block skipped", "%q is not a valid block type", sub.Type)
			continue
		}
		index[sub.Type]++
		out.Blocks = append(out.Blocks, Block{Type: sub.Type, Body: im.body(sp, sub.Body, nil)})
	}
	return out
}
