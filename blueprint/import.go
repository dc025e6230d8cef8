package blueprint

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// Import reads existing Terraform configuration, *.tf files by name, into a Blueprint.
// Files are read in sorted name order, so the result is deterministic. What a Blueprint
// cannot hold is never dropped silently: each such item is reported with its path, as an
// Error when it prevents a faithful import (a syntax error, a duplicate declaration) or a
// Warning when it is skipped (a backend, a dynamic block, a provisioner).
// Files the configuration reads with file(), templatefile() and the like (FileReads) are
// kept as the blueprint's Files when they are among files; one that is missing, binary or
// whose path is an expression is a Warning (import_files.go). Files in the subfolders of
// the configuration's folder are kept as ModuleFiles when a local module call uses their
// folder (import_module.go). Legacy syntax Terraform still reads (quoted references,
// version-only required_providers, quoted type constraints) is converted to the modern form
// with a Note. Comments are not kept. The returned Blueprint has no Name; the caller gives
// it one. Import does not consult the catalog: callers run Complete next, then Validate.
func Import(files map[string][]byte) (*Blueprint, Diagnostics) {
	im := &importer{b: &Blueprint{}, seen: map[string]string{}}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	reads := FileReads(files)
	read := fileSources(reads)
	root, nested := splitFolders(names)
	bases := map[string]string{}
	for _, n := range names {
		if _, ok := nested[n]; ok {
			continue // a module's file, read when a module call uses its folder
		}
		if read[n] && !strings.HasSuffix(n, ".tf") {
			continue // a file the configuration reads: keepFiles keeps it
		}
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
	im.carryModuleFiles(files, root, nested)
	im.keepFiles(files, reads)
	im.mergeProviderVersions()
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
	// versions are the version arguments of provider blocks, by provider name, merged into
	// required_providers once every file is read.
	versions [][2]string
}

func (im *importer) pos(r hcl.Range) string {
	return fmt.Sprintf("%s:%d,%d", im.name, r.Start.Line, r.Start.Column)
}

func (im *importer) warn(path string, r hcl.Range, summary string, detail string, args ...any) {
	im.d.warnf(path, summary, "at %s: %s", im.pos(r), fmt.Sprintf(detail, args...))
}

func (im *importer) note(path string, r hcl.Range, summary string, detail string, args ...any) {
	im.d.notef(path, summary, "at %s: %s", im.pos(r), fmt.Sprintf(detail, args...))
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
	// Checked here as well as by tfsource's reader: Import is called with any bytes (by
	// the fuzzer, the starters), and the parser must never see text too deep for it.
	var lim *hcllimit.Error
	if err := hcllimit.Config(src, ""); errors.As(err, &lim) {
		im.d.errorf(fmt.Sprintf("%s:%d", name, lim.Pos.Line), "nested too deeply", "%v", err)
		return
	}
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
			im.module(blk)
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
