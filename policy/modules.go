// Module calls: a module's code runs with the blueprint's, so the constructs the blocking
// rules catch in a blueprint must not slip in through one.

package policy

import (
	"fmt"
	"path"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/hcllimit"
)

// checkReviewedModules finds every module call whose code the guardrails cannot check, and
// every local module (with the local modules it calls) whose carried files hold a construct
// that runs a program or sends data out: an external or http data source, remote state, a
// provisioner, exec in a provider configuration. A module fetched by terraform init (a
// registry, git or URL source) or whose folder the blueprint does not carry cannot be seen,
// which for a blocking rule is a finding. A module call is allowed as module.NAME.
func checkReviewedModules(c *checker, _ Rule, _ map[string]bool) []Finding {
	files := map[string][]blueprint.ModuleFile{}
	for _, mf := range c.b.ModuleFiles {
		files[path.Dir(mf.Path)] = append(files[path.Dir(mf.Path)], mf)
	}
	var out []Finding
	for i := range c.b.Modules {
		m := &c.b.Modules[i]
		addr := m.Address()
		at := "modules[" + m.Name + "].source"
		fix := "use a local module whose files the blueprint carries, " + allowHint(ReviewedModules, addr)
		dir, local := blueprint.LocalModuleFolder(m.Source)
		if !local || len(files[dir]) == 0 {
			out = append(out, Finding{Resource: addr, Path: at, Fix: fix,
				Message: fmt.Sprintf("%s runs code the guardrails cannot see (%s is not among the blueprint's files), and terraform runs it with the environment's secrets at hand", addr, m.Source)})
			continue
		}
		for _, p := range moduleConstructs(dir, files) {
			out = append(out, Finding{Resource: addr, Path: at, Fix: "remove it from the module, " + allowHint(ReviewedModules, addr),
				Message: fmt.Sprintf("%s holds %s", addr, p)})
		}
	}
	return out
}

// moduleConstructs lists the blocked constructs of the files of dir and of the local modules
// they call, each with its file and line, in file order.
func moduleConstructs(dir string, files map[string][]blueprint.ModuleFile) []string {
	var out []string
	seen := map[string]bool{}
	queue := []string{dir}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if seen[d] {
			continue
		}
		seen[d] = true
		list := append([]blueprint.ModuleFile(nil), files[d]...)
		sort.Slice(list, func(i, j int) bool { return list[i].Path < list[j].Path })
		for _, mf := range list {
			found, calls := fileConstructs(mf)
			out = append(out, found...)
			for _, src := range calls {
				sub := path.Clean(path.Join(d, src))
				if !blueprint.IsLocalModuleSource(src) || len(files[sub]) == 0 {
					out = append(out, fmt.Sprintf("a call of %s, whose code the guardrails cannot see (%s)", src, mf.Path))
					continue
				}
				queue = append(queue, sub)
			}
		}
	}
	return out
}

// fileConstructs lists the blocked constructs of one module file, and the sources of the
// module calls it makes. A file that cannot be read is one: what it holds cannot be known.
func fileConstructs(mf blueprint.ModuleFile) (found, calls []string) {
	src := []byte(mf.Content)
	// Held to hcllimit's limits before the parser sees it, as every HCL text is.
	if err := hcllimit.Config(src, mf.Path); err != nil {
		return []string{fmt.Sprintf("%s, which cannot be read (%v)", mf.Path, err)}, nil
	}
	f, diags := hclsyntax.ParseConfig(src, mf.Path, hcl.InitialPos)
	if diags.HasErrors() {
		return []string{fmt.Sprintf("%s, which does not parse", mf.Path)}, nil
	}
	at := func(r hcl.Range) string { return fmt.Sprintf("%s:%d", mf.Path, r.Start.Line) }
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		switch {
		case blk.Type == "data" && len(blk.Labels) == 2 && (blk.Labels[0] == "external" || blk.Labels[0] == "http" || blk.Labels[0] == "terraform_remote_state"):
			found = append(found, fmt.Sprintf("a %s data source (%s), which reads or runs something outside during every plan", blk.Labels[0], at(blk.DefRange())))
		case blk.Type == "resource" || blk.Type == "data":
			for _, sub := range blk.Body.Blocks {
				if sub.Type == "provisioner" {
					found = append(found, fmt.Sprintf("a provisioner (%s), which runs a program on the runner", at(sub.DefRange())))
				}
			}
		case blk.Type == "provider":
			if r, ok := execIn(blk.Body); ok {
				found = append(found, fmt.Sprintf("exec in a provider configuration (%s), which runs a program during every plan", at(r)))
			}
		case blk.Type == "module":
			if a := blk.Body.Attributes["source"]; a != nil {
				if v, d := a.Expr.Value(nil); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type().FriendlyName() == "string" {
					calls = append(calls, v.AsString())
					continue
				}
			}
			found = append(found, fmt.Sprintf("a module call without a literal source (%s)", at(blk.DefRange())))
		}
	}
	return found, calls
}

// execIn finds a block or an argument named exec at any depth of a provider block, or an
// object key exec in one of its arguments.
func execIn(b *hclsyntax.Body) (hcl.Range, bool) {
	for name, a := range b.Attributes {
		if name == "exec" {
			return a.SrcRange, true
		}
		if obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr); ok {
			for _, item := range obj.Items {
				if hcl.ExprAsKeyword(item.KeyExpr) == "exec" {
					return item.KeyExpr.Range(), true
				}
			}
		}
	}
	for _, sub := range b.Blocks {
		if sub.Type == "exec" {
			return sub.DefRange(), true
		}
		if r, ok := execIn(sub.Body); ok {
			return r, true
		}
	}
	return hcl.Range{}, false
}
