// Importing module calls, and the files of the local modules they call.

package blueprint

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/hcllimit"
)

func (im *importer) module(blk *hclsyntax.Block) {
	p := labelPath("modules", blk)
	if !im.wantLabels(blk, 1, p) || !im.declare(p, blk.DefRange()) {
		return
	}
	m := ModuleCall{Name: blk.Labels[0]}
	meta := map[string]bool{"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true}
	hasSource, sourceGiven := false, false
	for _, a := range sortedAttrs(blk.Body) {
		ap := p + "." + a.Name
		switch a.Name {
		case "source", "version":
			sourceGiven = sourceGiven || a.Name == "source"
			s, ok := im.literalString(a.Expr)
			if !ok {
				im.err(ap, a.SrcRange, a.Name+" must be a literal string", "terraform reads a module's %s before anything is evaluated; write it as a quoted string", a.Name)
				continue
			}
			if a.Name == "source" {
				m.Source, hasSource = s, true
			} else {
				m.Version = s
			}
		case "count":
			v := im.value(a.Expr)
			m.Count = &v
		case "for_each":
			v := im.value(a.Expr)
			m.ForEach = &v
		case "providers":
			m.Providers = im.moduleProviders(ap, a.Expr)
		case "depends_on":
			m.DependsOn = im.traversalList(ap, a.Expr, true)
		}
	}
	if !hasSource && !sourceGiven {
		im.err(p+".source", blk.DefRange(), "module call without source", "add source = \"./modules/NAME\" or a registry address such as \"Azure/aks/azurerm\"")
	}
	for _, sub := range blk.Body.Blocks {
		im.warn(labelPath(p+"."+sub.Type, sub), sub.DefRange(), "block skipped", "a module call takes arguments only")
	}
	m.Inputs = im.body(p, &hclsyntax.Body{Attributes: blk.Body.Attributes, SrcRange: blk.Body.SrcRange, EndRange: blk.Body.EndRange}, meta)
	im.b.Modules = append(im.b.Modules, m)
}

// moduleProviders reads a providers map: { azurerm = azurerm.west, azurerm.child = azurerm }.
func (im *importer) moduleProviders(p string, e hclsyntax.Expression) []ModuleProvider {
	obj, ok := e.(*hclsyntax.ObjectConsExpr)
	if !ok {
		im.err(p, e.Range(), "providers must be a map", "write providers = { azurerm = azurerm.west }")
		return nil
	}
	var out []ModuleProvider
	for _, item := range obj.Items {
		kt, kd := hcl.AbsTraversalForExpr(item.KeyExpr)
		val, vok := im.traversal(item.ValueExpr)
		if kd.HasErrors() || !vok {
			im.err(p, item.KeyExpr.Range(), "not a provider address", "each entry of providers maps a provider of the module to one of this configuration, as azurerm = azurerm.west")
			continue
		}
		out = append(out, ModuleProvider{Name: traversalString(kt), Provider: val})
	}
	return out
}

// splitFolders finds the configuration's own folder among the files' folders: the one
// folder nearest the top, when only one is. Every .tf file in another folder is returned
// in nested with its path relative to that folder ("" when it is not under it), to be
// carried as a module's file when a module call uses its folder. With files in one folder,
// or several folders equally near the top, nested is empty and every file is read as the
// configuration's, as before module folders were known.
func splitFolders(names []string) (root string, nested map[string]string) {
	dirs := map[string]bool{}
	for _, n := range names {
		if strings.HasSuffix(n, ".tf") {
			dirs[path.Dir(slashed(n))] = true
		}
	}
	if len(dirs) < 2 {
		return ".", nil
	}
	depth := func(d string) int {
		if d == "." {
			return 0
		}
		return strings.Count(d, "/") + 1
	}
	best, ties := "", 0
	for d := range dirs {
		switch {
		case best == "" || depth(d) < depth(best):
			best, ties = d, 1
		case depth(d) == depth(best):
			ties++
		}
	}
	if ties > 1 {
		return ".", nil
	}
	nested = map[string]string{}
	for _, n := range names {
		s := slashed(n)
		if !strings.HasSuffix(s, ".tf") || path.Dir(s) == best {
			continue
		}
		rel := s
		if best != "." {
			var ok bool
			if rel, ok = strings.CutPrefix(s, best+"/"); !ok {
				rel = ""
			}
		}
		nested[n] = rel
	}
	return best, nested
}

func slashed(name string) string { return path.Clean(strings.ReplaceAll(name, "\\", "/")) }

// carryModuleFiles keeps the files of every folder a local module call uses, the calls
// inside those files included, as the blueprint's ModuleFiles, and lists the files no call
// uses. A call whose folder is not among the files is a warning: terraform init needs it.
func (im *importer) carryModuleFiles(files map[string][]byte, root string, nested map[string]string) {
	byDir := map[string][]string{}
	for name, rel := range nested {
		if rel != "" {
			byDir[path.Dir(rel)] = append(byDir[path.Dir(rel)], name)
		}
	}
	type use struct{ dir, at string }
	var queue []use
	for _, m := range im.b.Modules {
		if !IsLocalModuleSource(m.Source) {
			continue
		}
		at := "modules[" + m.Name + "].source"
		// Where the call is declared, as the other problems of an import say it.
		pos := im.seen["modules["+m.Name+"]"]
		dir, ok := moduleDir(".", m.Source)
		switch {
		case !ok:
			im.d.warnf(at, "module folder outside the imported files", "at %s: %s is not under the configuration's folder, so its files do not travel with the blueprint; terraform init needs them beside the generated files", pos, m.Source)
		case len(byDir[dir]) == 0:
			im.d.warnf(at, "module files not imported", "at %s: no .tf files of %s were imported; import the configuration's folder with its module folders (a zip, or import -dir), or terraform init will not find the module", pos, m.Source)
		default:
			queue = append(queue, use{dir, at})
		}
	}
	used := map[string]bool{}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if used[u.dir] {
			continue
		}
		used[u.dir] = true
		names := byDir[u.dir]
		sort.Strings(names)
		for _, name := range names {
			rel := nested[name]
			data := files[name]
			if !utf8.Valid(data) {
				im.d.errorf(name, "module file is not UTF-8 text", "save %s as UTF-8", name)
				continue
			}
			im.b.ModuleFiles = append(im.b.ModuleFiles, ModuleFile{Path: rel, Content: string(data)})
			for _, src := range im.localCalls(name, data) {
				if dir, ok := moduleDir(path.Dir(rel), src); ok {
					queue = append(queue, use{dir, name})
				}
			}
		}
	}
	var left []string
	for name, rel := range nested {
		if rel == "" || !used[path.Dir(rel)] {
			left = append(left, name)
		}
	}
	sort.Strings(left)
	for _, name := range left {
		if nested[name] == "" {
			im.d.warnf(name, "file not imported", "it is not in the configuration's folder %s or one of its subfolders", root)
		} else {
			im.d.warnf(name, "file not imported", "no module call uses its folder %s", path.Dir(nested[name]))
		}
	}
}

// localCalls lists the local sources of a module file's module calls. The file is held to
// hcllimit's limits and parsed like the configuration's own files, and its syntax errors
// are errors: terraform would refuse them too.
func (im *importer) localCalls(name string, src []byte) []string {
	var lim *hcllimit.Error
	if err := hcllimit.Config(src, ""); errors.As(err, &lim) {
		im.d.errorf(fmt.Sprintf("%s:%d", name, lim.Pos.Line), "nested too deeply", "%v", err)
		return nil
	}
	f, hdiags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if hdiags.HasErrors() {
		for _, hd := range hdiags {
			if hd.Severity != hcl.DiagError {
				continue
			}
			p := name
			if hd.Subject != nil {
				p = fmt.Sprintf("%s:%d", name, hd.Subject.Start.Line)
			}
			im.d.errorf(p, "syntax error in a module file", "%s: %s", hd.Summary, hd.Detail)
		}
		return nil
	}
	return localSources(f.Body.(*hclsyntax.Body))
}
