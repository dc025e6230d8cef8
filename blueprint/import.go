package blueprint

import (
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Import reads existing Terraform configuration, *.tf files by name, into a Blueprint.
// Files are read in sorted name order, so the result is deterministic. What a Blueprint
// cannot hold is never dropped silently: each such item is reported with its path, as an
// Error when it prevents a faithful import (a syntax error, a duplicate declaration) or a
// Warning when it is skipped (a backend, a module call, a dynamic block, a provisioner).
// Comments are not kept. The returned Blueprint has no Name; the caller gives it one.
func Import(files map[string][]byte) (*Blueprint, Diagnostics) {
	im := &importer{b: &Blueprint{}, seen: map[string]string{}}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	bases := map[string]string{}
	for _, n := range names {
		base := path.Base(strings.ReplaceAll(n, "\\", "/"))
		if prev, dup := bases[base]; dup {
			im.d.errorf(n, "duplicate file name", "%s and %s are both named %s; a module's files share one directory", prev, n, base)
			continue
		}
		bases[base] = n
		switch {
		case strings.HasSuffix(n, ".tf"):
		case strings.HasSuffix(n, ".tf.json"):
			im.d.warnf(n, "JSON configuration is not imported", "convert %s to native syntax", n)
			continue
		default:
			im.d.warnf(n, "not a Terraform configuration file", "only *.tf files are imported")
			continue
		}
		im.parseFile(n, files[n])
	}
	im.graphOrder()
	sort.SliceStable(im.b.RequiredProviders, func(i, j int) bool {
		return im.b.RequiredProviders[i].Name < im.b.RequiredProviders[j].Name
	})
	return im.b, im.d.list
}

// graphOrder puts data sources and resources in the order Generate writes them (dependencies
// first, then declaration order), so importing generated files gives the same blueprint.
func (im *importer) graphOrder() {
	pos := map[string]int{}
	for i, addr := range buildGraph(im.b).order() {
		pos[addr] = i
	}
	for _, list := range [][]Resource{im.b.Data, im.b.Resources} {
		sort.SliceStable(list, func(i, j int) bool { return pos[list[i].Address()] < pos[list[j].Address()] })
	}
}

type importer struct {
	b    *Blueprint
	d    diags
	src  []byte
	name string
	seen map[string]string // declared addresses, to the position first declaring them
}

func (im *importer) pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d,%d", im.name, r.Start.Line, r.Start.Column)
}

func (im *importer) warn(path string, r hcl.Range, summary string, detail string, args ...any) {
	im.d.warnf(path, summary, "at %s: %s", im.pos(r), fmt.Sprintf(detail, args...))
}

func (im *importer) err(path string, r hcl.Range, summary string, detail string, args ...any) {
	im.d.errorf(path, summary, "at %s: %s", im.pos(r), fmt.Sprintf(detail, args...))
}

// declare reports a second declaration of the same thing.
func (im *importer) declare(path string, r hcl.Range) bool {
	if prev, dup := im.seen[path]; dup {
		im.err(path, r, "duplicate declaration", "already declared at %s", prev)
		return false
	}
	im.seen[path] = im.pos(r)
	return true
}

func (im *importer) parseFile(name string, src []byte) {
	im.name, im.src = name, src
	f, hdiags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	for _, hd := range hdiags {
		if hd.Severity != hcl.DiagError {
			continue
		}
		p := name
		if hd.Subject != nil {
			p = fmt.Sprintf("%s:%d", name, hd.Subject.Start.Line)
		}
		im.d.errorf(p, "syntax error", "%s: %s", hd.Summary, hd.Detail)
	}
	if hdiags.HasErrors() || f == nil {
		return
	}
	body := f.Body.(*hclsyntax.Body)
	for _, a := range sortedAttrs(body) {
		im.warn(name+"."+a.Name, a.SrcRange, "top-level argument skipped", "a configuration file holds only blocks")
	}
	for _, blk := range body.Blocks {
		switch blk.Type {
		case "terraform":
			im.terraform(blk)
		case "provider":
			im.provider(blk)
		case "variable":
			im.variable(blk)
		case "locals":
			im.locals(blk)
		case "output":
			im.output(blk)
		case "resource":
			im.resource(blk, ManagedMode)
		case "data":
			im.resource(blk, DataMode)
		case "module":
			im.warn(labelPath("modules", blk), blk.DefRange(), "module call skipped", "blueprints do not call modules; add the module's resources to the blueprint")
		case "moved", "import", "removed", "check":
			im.warn(labelPath(blk.Type, blk), blk.DefRange(), blk.Type+" block skipped", "blueprints have no %s blocks", blk.Type)
		default:
			im.warn(labelPath(blk.Type, blk), blk.DefRange(), "unknown block skipped", "%q is not a Terraform top-level block", blk.Type)
		}
	}
}

func labelPath(kind string, blk *hclsyntax.Block) string {
	if len(blk.Labels) == 0 {
		return kind
	}
	return kind + "[" + strings.Join(blk.Labels, ".") + "]"
}

func sortedAttrs(b *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SrcRange.Start.Byte < out[j].SrcRange.Start.Byte })
	return out
}

func (im *importer) wantLabels(blk *hclsyntax.Block, n int, path string) bool {
	if len(blk.Labels) != n {
		im.err(path, blk.DefRange(), "wrong number of labels", "a %s block takes %d label(s)", blk.Type, n)
		return false
	}
	for _, l := range blk.Labels {
		if !validIdentifier(l) {
			im.err(path, blk.DefRange(), "invalid name", "%q is not a valid identifier", l)
			return false
		}
	}
	return true
}

func (im *importer) terraform(blk *hclsyntax.Block) {
	for _, a := range sortedAttrs(blk.Body) {
		p := "terraform." + a.Name
		if a.Name == "required_version" {
			if s, ok := im.literalString(a.Expr); ok {
				if im.b.RequiredVersion != "" {
					im.err(p, a.SrcRange, "duplicate declaration", "required_version is set twice")
				}
				im.b.RequiredVersion = s
				continue
			}
			im.err(p, a.SrcRange, "required_version must be a string", "write it as a literal string")
			continue
		}
		im.warn(p, a.SrcRange, "terraform setting skipped", "blueprints do not carry %s", a.Name)
	}
	for _, sub := range blk.Body.Blocks {
		p := labelPath("terraform."+sub.Type, sub)
		switch sub.Type {
		case "required_providers":
			im.requiredProviders(sub)
		case "backend", "cloud":
			im.warn(p, sub.DefRange(), sub.Type+" block skipped", "backend settings belong to an environment")
		default:
			im.warn(p, sub.DefRange(), "terraform block skipped", "blueprints do not carry %s", sub.Type)
		}
	}
}

func (im *importer) requiredProviders(blk *hclsyntax.Block) {
	for _, a := range sortedAttrs(blk.Body) {
		p := "required_providers[" + a.Name + "]"
		if !im.declare(p, a.SrcRange) {
			continue
		}
		v, ok := im.pureLiteral(a.Expr)
		if !ok || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			im.err(p, a.SrcRange, "unsupported required provider", "write it as { source = \"...\", version = \"...\" }")
			continue
		}
		rp := RequiredProvider{Name: a.Name}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			key := k.AsString()
			if e.IsNull() || e.Type() != cty.String || (key != "source" && key != "version") {
				im.warn(p+"."+key, a.SrcRange, "required provider setting skipped", "only source and version (strings) are kept")
				continue
			}
			if key == "source" {
				rp.Source = e.AsString()
			} else {
				rp.Version = e.AsString()
			}
		}
		if rp.Source == "" {
			im.err(p, a.SrcRange, "required provider without a source", "add source = \"namespace/%s\"", a.Name)
		}
		im.b.RequiredProviders = append(im.b.RequiredProviders, rp)
	}
	for _, sub := range blk.Body.Blocks {
		im.warn(labelPath("required_providers."+sub.Type, sub), sub.DefRange(), "block skipped", "required_providers holds only arguments")
	}
}

func (im *importer) provider(blk *hclsyntax.Block) {
	if !im.wantLabels(blk, 1, labelPath("providers", blk)) {
		return
	}
	pc := ProviderConfig{Name: blk.Labels[0]}
	body := blk.Body
	if a := body.Attributes["alias"]; a != nil {
		s, ok := im.literalString(a.Expr)
		if !ok || !validIdentifier(s) {
			im.err(labelPath("providers", blk)+".alias", a.SrcRange, "invalid alias", "an alias is a literal identifier")
			return
		}
		pc.Alias = s
	}
	p := "providers[" + pc.Address() + "]"
	if !im.declare(p, blk.DefRange()) {
		return
	}
	pc.Config = im.body(p, body, map[string]bool{"alias": true})
	im.b.Providers = append(im.b.Providers, pc)
}

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
			o.DependsOn = im.traversalList(ap, a.Expr)
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
			} else {
				im.err(ap, a.SrcRange, "provider must be a provider address", "write it as name or name.alias")
			}
		case "depends_on":
			r.DependsOn = im.traversalList(ap, a.Expr)
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
			lc.IgnoreChanges = im.traversalList(ap, a.Expr)
		case "replace_triggered_by":
			lc.ReplaceTriggeredBy = im.traversalList(ap, a.Expr)
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

// source is an expression's exact source text.
func (im *importer) source(e hclsyntax.Expression) string {
	r := e.Range()
	return string(r.SliceBytes(im.src))
}

// exprSource is an expression's source as an Expr keeps it: the author's text in
// `terraform fmt` layout, so it does not depend on how deep the expression was nested.
func (im *importer) exprSource(e hclsyntax.Expression) string {
	return canonicalExpr(im.source(e))
}

func canonicalExpr(src string) string {
	out := string(hclwrite.Format([]byte("x = " + strings.TrimRight(src, " \t\r\n") + "\n")))
	out, ok := strings.CutPrefix(out, "x = ")
	if !ok {
		return src
	}
	return strings.TrimRight(out, "\n")
}

// value converts an expression. Plain data (literals, literal strings, tuples and objects of
// those) becomes a Literal and a reference a Ref. A tuple or object mixing kinds becomes a
// List or Map only when the generator writes it back as the author laid it out (same key
// order, same line breaks); otherwise, like anything else, it is kept as an Expr of the
// author's source, so importing never reorders or reflows an expression. Heredocs are Exprs.
func (im *importer) value(e hclsyntax.Expression) Value {
	src := im.exprSource(e)
	if isHeredoc(src) {
		return Expr(src)
	}
	if v, ok := im.pureLiteral(e); ok {
		return Literal(v)
	}
	switch e := e.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		if t, ok := im.traversal(e); ok {
			return Ref(t)
		}
	case *hclsyntax.TupleConsExpr:
		items := make([]Value, len(e.Exprs))
		for i, item := range e.Exprs {
			items[i] = im.value(item)
		}
		return im.structured(src, List(items...))
	case *hclsyntax.ObjectConsExpr:
		m := map[string]Value{}
		ok := true
		for _, item := range e.Items {
			k, static := im.staticKey(item.KeyExpr)
			if _, dup := m[k]; !static || dup {
				ok = false
				break
			}
			m[k] = im.value(item.ValueExpr)
		}
		if ok {
			return im.structured(src, Map(m))
		}
	}
	return Expr(src)
}

// structured keeps v when it is written back as src is written (up to formatting), and
// src as an Expr otherwise.
func (im *importer) structured(src string, v Value) Value {
	t, err := v.tokens()
	if err != nil || formatExpr(string(t.Bytes())) != formatExpr(src) {
		return Expr(src)
	}
	return v
}

func formatExpr(src string) string {
	return string(hclwrite.Format([]byte("x = " + strings.TrimSpace(src) + "\n")))
}

func isHeredoc(src string) bool { return strings.HasPrefix(src, "<<") }

// pureLiteral evaluates an expression built only from literals, literal strings, and tuples
// and objects of those.
func (im *importer) pureLiteral(e hclsyntax.Expression) (cty.Value, bool) {
	if !im.isPureLiteral(e) || len(e.Variables()) > 0 {
		return cty.NilVal, false
	}
	v, d := e.Value(nil)
	if d.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

func (im *importer) isPureLiteral(e hclsyntax.Expression) bool {
	if isHeredoc(im.source(e)) {
		return false
	}
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return true
	case *hclsyntax.TemplateExpr:
		for _, p := range e.Parts {
			if lit, ok := p.(*hclsyntax.LiteralValueExpr); !ok || lit.Val.Type() != cty.String {
				return false
			}
		}
		return true
	case *hclsyntax.UnaryOpExpr:
		lit, ok := e.Val.(*hclsyntax.LiteralValueExpr)
		return ok && e.Op == hclsyntax.OpNegate && lit.Val.Type() == cty.Number
	case *hclsyntax.TupleConsExpr:
		for _, item := range e.Exprs {
			if !im.isPureLiteral(item) {
				return false
			}
		}
		return true
	case *hclsyntax.ObjectConsExpr:
		seen := map[string]bool{}
		for _, item := range e.Items {
			k, ok := im.staticKey(item.KeyExpr)
			if !ok || seen[k] || !im.isPureLiteral(item.ValueExpr) {
				return false
			}
			seen[k] = true
		}
		return true
	}
	return false
}

// staticKey is an object key written as a bare name or a literal string.
func (im *importer) staticKey(e hclsyntax.Expression) (string, bool) {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if k.ForceNonLiteral {
			return "", false
		}
		if kw := hcl.ExprAsKeyword(k.Wrapped); kw != "" {
			return kw, true
		}
		e = k.Wrapped
	}
	t, ok := e.(*hclsyntax.TemplateExpr)
	if !ok || !im.isPureLiteral(t) {
		return "", false
	}
	v, d := t.Value(nil)
	if d.HasErrors() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func (im *importer) literalString(e hclsyntax.Expression) (string, bool) {
	v, ok := im.pureLiteral(e)
	if !ok || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func (im *importer) literalBool(e hclsyntax.Expression) (bool, bool) {
	v, ok := im.pureLiteral(e)
	if !ok || v.IsNull() || v.Type() != cty.Bool {
		return false, false
	}
	return v.True(), true
}

// traversal renders a reference expression the way the generator writes it back.
func (im *importer) traversal(e hclsyntax.Expression) (string, bool) {
	t, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok {
		return "", false
	}
	s := string(bytes.TrimSpace(hclwrite.TokensForTraversal(t.Traversal).Bytes()))
	if _, err := parseRef(s); err != nil {
		return "", false
	}
	return s, true
}

// traversalList reads a list of references, reporting each item that is not one.
func (im *importer) traversalList(p string, e hclsyntax.Expression) []string {
	tup, ok := e.(*hclsyntax.TupleConsExpr)
	if !ok {
		im.err(p, e.Range(), "not a list of references", "write [a.b, c.d]")
		return nil
	}
	var out []string
	for i, item := range tup.Exprs {
		t, ok := im.traversal(item)
		if !ok {
			im.err(fmt.Sprintf("%s[%d]", p, i), item.Range(), "not a reference", "%s", im.source(item))
			continue
		}
		out = append(out, t)
	}
	return out
}
