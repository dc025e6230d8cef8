package blueprint

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// RenameResource renames the resource or data source at address from
// (azurerm_resource_group.main, data.azurerm_client_config.current) to the name to, and
// rewrites every reference to it so the configuration keeps its meaning: in arguments of
// resources, data sources and provider configurations (nested blocks included), count,
// for_each, depends_on, replace_triggered_by, locals, outputs and module calls. A reference
// matches on whole steps, so azurerm_resource_group.main2 is left alone. It returns how many
// references it rewrote.
//
// An expression that does not parse is left as it is; validation reports it. When to is not
// a valid name, or the new address is taken, RenameResource returns an error and b is
// unchanged. Renaming to the current name changes nothing.
func RenameResource(b *Blueprint, from, to string) (int, error) {
	r, prefix, err := findRenamed(b, from)
	if err != nil {
		return 0, fmt.Errorf("renaming %s: %w", from, err)
	}
	if !validIdentifier(to) {
		return 0, fmt.Errorf("renaming %s: invalid name %q: a name starts with a letter or underscore and holds only letters, digits, underscores and dashes, e.g. %q", from, to, suggestIdentifier(to))
	}
	if to == r.Name {
		return 0, nil
	}
	renamed := *r
	renamed.Name = to
	newAddr := renamed.Address()
	if b.Resource(newAddr) != nil {
		return 0, fmt.Errorf("renaming %s: %s already exists", from, newAddr)
	}

	rn := renamer{search: prefix, replace: append(append([]string(nil), prefix[:len(prefix)-1]...), to)}
	r.Name = to
	rn.blueprint(b)
	return rn.count, nil
}

// blueprint rewrites the references of every part of b that can hold one.
func (rn *renamer) blueprint(b *Blueprint) {
	for res := range b.AllResources() {
		rn.body(res.Config)
		rn.value(res.Count)
		rn.value(res.ForEach)
		rn.refs(res.DependsOn)
		// ignore_changes names the resource's own attributes, never another resource.
		if res.Lifecycle != nil {
			rn.refs(res.Lifecycle.ReplaceTriggeredBy)
		}
	}
	for i := range b.Providers {
		rn.body(b.Providers[i].Config)
	}
	for i := range b.Locals {
		rn.value(&b.Locals[i].Value)
	}
	for i := range b.Outputs {
		rn.value(&b.Outputs[i].Value)
		rn.refs(b.Outputs[i].DependsOn)
	}
	for i := range b.Modules {
		m := &b.Modules[i]
		rn.body(m.Inputs)
		rn.value(m.Count)
		rn.value(m.ForEach)
		rn.refs(m.DependsOn)
	}
	// Variables are left out: a default is a constant and a validation condition may refer
	// only to its own variable.
}

// findRenamed returns the resource or data source at addr and the steps every reference
// to it starts with: [type name], or [data type name].
func findRenamed(b *Blueprint, addr string) (*Resource, []string, error) {
	t, err := parseRef(addr)
	if err != nil {
		return nil, nil, err
	}
	steps := make([]string, len(t))
	for i, s := range t {
		if steps[i] = stepName(s); steps[i] == "" {
			return nil, nil, fmt.Errorf("%q is not a resource address", addr)
		}
	}
	what := "resource"
	if steps[0] == "data" {
		what = "data source"
		if len(steps) != 3 {
			return nil, nil, fmt.Errorf("%q is not a data source address: write data.TYPE.NAME", addr)
		}
	} else if len(steps) != 2 {
		return nil, nil, fmt.Errorf("%q is not a resource address: write TYPE.NAME", addr)
	}
	// The steps are the address as Resource.Address writes it, whatever spacing addr had.
	if r := b.Resource(strings.Join(steps, ".")); r != nil {
		return r, steps, nil
	}
	return nil, nil, fmt.Errorf("no %s %s in the blueprint", what, addr)
}

// renamer rewrites references that start with search to start with replace instead,
// counting them.
type renamer struct {
	search, replace []string
	count           int
}

func (rn *renamer) body(b Body) {
	walkBody(b, rn.value)
}

func (rn *renamer) value(v *Value) {
	if v == nil {
		return
	}
	switch v.Kind {
	case ReferenceKind:
		v.Ref = rn.ref(v.Ref)
	case ExpressionKind:
		if _, err := parseExpr(v.Expr); err != nil {
			return
		}
		if src, n := rn.rewrite(v.Expr); n > 0 {
			v.Expr = canonicalExpr(src)
			rn.count += n
		}
	case ListKind:
		for i := range v.List {
			rn.value(&v.List[i])
		}
	case MapKind:
		// A map's values are copies: write each back.
		for k, item := range v.Map {
			rn.value(&item)
			v.Map[k] = item
		}
	}
}

func (rn *renamer) refs(list []string) {
	for i := range list {
		list[i] = rn.ref(list[i])
	}
}

// ref rewrites one reference when it is a traversal that starts with the prefix. Its text
// is otherwise kept as written, index steps and all.
func (rn *renamer) ref(s string) string {
	t, err := parseRef(s)
	if err != nil || !rn.matches(t) {
		return s
	}
	out, n := rn.rewrite(s)
	if n == 0 {
		return s
	}
	rn.count += n
	return strings.TrimSpace(out)
}

func (rn *renamer) matches(t hcl.Traversal) bool {
	if len(t) < len(rn.search) {
		return false
	}
	for i, name := range rn.search {
		if stepName(t[i]) != name { // an index step has no name, so it never matches
			return false
		}
	}
	return true
}

// rewrite renames the prefix in every traversal of the expression src, through hclwrite
// so that only the renamed names change, and returns the new source with the number of
// traversals changed; ("", 0) when src is not a single expression.
func (rn *renamer) rewrite(src string) (string, int) {
	f, diags := hclwrite.ParseConfig([]byte("x = "+src+"\n"), "", hcl.InitialPos)
	if diags.HasErrors() || len(f.Body().Attributes()) != 1 || len(f.Body().Blocks()) != 0 {
		return "", 0
	}
	attr := f.Body().GetAttribute("x")
	if attr == nil {
		return "", 0
	}
	expr := attr.Expr()
	vars := expr.Variables()
	before := make([]string, len(vars))
	for i, t := range vars {
		before[i] = string(t.BuildTokens(nil).Bytes())
	}
	expr.RenameVariablePrefix(rn.search, rn.replace)
	n := 0
	for i, t := range vars {
		if string(t.BuildTokens(nil).Bytes()) != before[i] {
			n++
		}
	}
	if n == 0 {
		return "", 0
	}
	return string(expr.BuildTokens(nil).Bytes()), n
}
