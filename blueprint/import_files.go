package blueprint

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// fileFunctions are Terraform's functions that read a file whose path is their first
// argument. fileset lists a folder and templatefile reads a template; the rest read one file.
var fileFunctions = map[string]bool{
	"file": true, "filebase64": true, "templatefile": true, "fileexists": true,
	"filemd5": true, "filesha1": true, "filesha256": true, "filesha512": true,
	"filebase64sha256": true, "filebase64sha512": true,
}

// FileRead is one call of a file-reading function in a configuration.
type FileRead struct {
	// Func is the function: file, templatefile, filebase64, ...
	Func string
	// At is where the call is: main.tf:12,3.
	At string
	// Source is the file read, named as the configuration's files are (relative to the
	// source, "infra/scripts/init.sh" when main.tf is infra/main.tf); empty when the path is
	// not literal.
	Source string
	// Path is the file read relative to the configuration's folder (scripts/init.sh), as a
	// BlueprintFile keeps it; empty when the path is not literal.
	Path string
	// Problem says why the path cannot be known or kept: an expression (file(var.x)), or
	// a path out of the folder. Empty when Path is set.
	Problem string
}

// FileReads finds the files a configuration reads: every call of file, templatefile,
// filebase64, fileexists and the file hash functions in the .tf files given (by name, as
// Import takes them), in name and source order. A path is literal when it is a string
// ("scripts/init.sh") or path.module, path.root or path.cwd followed by one
// ("${path.module}/scripts/init.sh"); both are relative to the folder of the .tf file, the
// root module's folder, as terraform resolves them. Any other path (file(var.x)) cannot be
// known before a plan and is returned with a Problem. A file that does not parse is
// skipped: Import reports it.
//
// A reader (tfsource) calls it to know which other files of a source to read beside the
// .tf files; Import calls it to keep them.
func FileReads(files map[string][]byte) []FileRead {
	names := make([]string, 0, len(files))
	for n := range files {
		if strings.HasSuffix(n, ".tf") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []FileRead
	for _, n := range names {
		src := files[n]
		if hcllimit.Config(src, n) != nil {
			continue
		}
		f, diags := hclsyntax.ParseConfig(src, n, hcl.InitialPos)
		if diags.HasErrors() || f == nil {
			continue
		}
		dir := path.Dir(strings.ReplaceAll(n, "\\", "/"))
		var calls []*hclsyntax.FunctionCallExpr
		_ = hclsyntax.VisitAll(f.Body.(*hclsyntax.Body), func(node hclsyntax.Node) hcl.Diagnostics {
			if c, ok := node.(*hclsyntax.FunctionCallExpr); ok && fileFunctions[c.Name] && len(c.Args) > 0 {
				calls = append(calls, c)
			}
			return nil
		})
		sort.SliceStable(calls, func(i, j int) bool { return calls[i].Range().Start.Byte < calls[j].Range().Start.Byte })
		for _, c := range calls {
			r := FileRead{Func: c.Name, At: fmt.Sprintf("%s:%d,%d", n, c.NameRange.Start.Line, c.NameRange.Start.Column)}
			rel, ok := literalFilePath(c.Args[0])
			if !ok {
				r.Problem = fmt.Sprintf("%s reads a path that is an expression (%s), known only when terraform plans", c.Name, exprSource(src, c.Args[0]))
				out = append(out, r)
				continue
			}
			p, err := NormalizeFilePath(rel)
			if err != nil {
				r.Problem = fmt.Sprintf("%s reads %q, which a blueprint cannot keep: %v", c.Name, rel, err)
				out = append(out, r)
				continue
			}
			r.Path, r.Source = p, p
			if dir != "." {
				r.Source = dir + "/" + p
			}
			out = append(out, r)
		}
	}
	return out
}

// literalFilePath is a file function's path argument when it is known without evaluating:
// "x/y", or "${path.module}/x/y" (path.root, path.cwd alike: in the root module all three
// are its folder). The result is relative to that folder.
func literalFilePath(e hclsyntax.Expression) (string, bool) {
	switch e := e.(type) {
	case *hclsyntax.TemplateExpr:
		var b strings.Builder
		for i, part := range e.Parts {
			if i == 0 && isPathModule(part) {
				b.WriteString(".")
				continue
			}
			lit, ok := part.(*hclsyntax.LiteralValueExpr)
			if !ok || !lit.Val.Type().Equals(cty.String) || lit.Val.IsNull() {
				return "", false
			}
			b.WriteString(lit.Val.AsString())
		}
		p := strings.TrimPrefix(b.String(), "./")
		return p, p != "" && p != "."
	case *hclsyntax.LiteralValueExpr:
		if e.Val.Type().Equals(cty.String) && !e.Val.IsNull() {
			return e.Val.AsString(), true
		}
	}
	return "", false
}

// isPathModule reports whether e is path.module, path.root or path.cwd.
func isPathModule(e hclsyntax.Expression) bool {
	st, ok := e.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(st.Traversal) != 2 || st.Traversal.RootName() != "path" {
		return false
	}
	attr, ok := st.Traversal[1].(hcl.TraverseAttr)
	return ok && (attr.Name == "module" || attr.Name == "root" || attr.Name == "cwd")
}

// exprSource is an expression's text as written.
func exprSource(src []byte, e hclsyntax.Expression) string {
	r := e.Range()
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
		return "an expression"
	}
	s := string(src[r.Start.Byte:r.End.Byte])
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// FilesToRead are the names, among a source's files, of the files a configuration reads
// with a literal path (see FileReads), sorted: what a reader reads beside the .tf files.
func FilesToRead(files map[string][]byte) []string {
	m := fileSources(FileReads(files))
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// fileSources is the set of source names FileReads found literal paths for: the files
// Import keeps rather than lists as not configuration.
func fileSources(reads []FileRead) map[string]bool {
	m := map[string]bool{}
	for _, r := range reads {
		if r.Source != "" {
			m[r.Source] = true
		}
	}
	return m
}

// keepFiles adds the files the configuration reads to the blueprint, in the order of the
// first call reading each, a binary one as base64. A file that is missing or over a limit
// is a warning
// naming it: terraform validate does not read files, a plan does, so the configuration
// still imports and the editor's Files section can supply it. A path that is an
// expression is a warning too, since the blueprint cannot know which file to keep.
func (im *importer) keepFiles(files map[string][]byte, reads []FileRead) {
	total := 0
	for _, r := range reads {
		if r.Problem != "" {
			im.d.warnf("files", "file path not known", "at %s: %s; add the file it reads in the editor's Files, at its path relative to main.tf", r.At, r.Problem)
			continue
		}
		if im.b.File(r.Path) != nil {
			continue
		}
		data, ok := files[r.Source]
		if !ok || data == nil {
			im.d.warnf("files["+r.Path+"]", "file not found", "at %s: %s reads %s, which is not among the files imported; a plan fails without it. Import the configuration's folder or a .zip of it (uploaded files lose their folders), or add the file in the editor's Files", r.At, r.Func, r.Source)
			continue
		}
		if err := CheckFileContent(data); err != nil {
			im.d.warnf("files["+r.Path+"]", "file not kept", "at %s: %s reads %s: %v", r.At, r.Func, r.Source, err)
			continue
		}
		if len(im.b.Files) >= MaxFileCount || total+len(data) > MaxFilesSize {
			im.d.warnf("files["+r.Path+"]", "file not kept", "at %s: %s reads %s, past a blueprint's limit of %d files and %s together", r.At, r.Func, r.Source, MaxFileCount, byteSize(MaxFilesSize))
			continue
		}
		total += len(data)
		im.b.Files = append(im.b.Files, NewBlueprintFile(r.Path, data))
	}
}

// MissingFiles reports, as a warning at files[PATH], each file the generated configuration
// reads by a literal path that the blueprint has no file for: terraform validate does not
// read files, a plan fails without them. generated is what Generate wrote for b; only its
// root-folder .tf files are read.
func MissingFiles(b *Blueprint, generated []File) Diagnostics {
	tf := map[string][]byte{}
	for _, f := range generated {
		if strings.HasSuffix(f.Name, ".tf") && !strings.Contains(f.Name, "/") {
			tf[f.Name] = f.Content
		}
	}
	var d diags
	seen := map[string]bool{}
	for _, r := range FileReads(tf) {
		if r.Path == "" || seen[r.Path] || b.File(r.Path) != nil {
			continue
		}
		seen[r.Path] = true
		d.warnf("files["+r.Path+"]", "file not found", "%s reads %s, which the blueprint has no file for; a plan fails without it. Add it in the editor's Files", r.Func, r.Path)
	}
	return d.list
}
