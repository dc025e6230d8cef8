// Module calls: their model, what their sources say, and the files of local modules that
// travel with a blueprint.

package blueprint

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// ModuleCall is one module block: a call of a local module (./modules/net, whose files the
// blueprint carries in ModuleFiles) or of one from a registry (Azure/aks/azurerm, which
// terraform init fetches). Its outputs are referred to as module.NAME.OUTPUT.
type ModuleCall struct {
	Name    string `json:"name"`
	Source  string `json:"source"`            // ./modules/net, Azure/aks/azurerm, git::https://...
	Version string `json:"version,omitempty"` // a constraint; only for a registry source
	Count   *Value `json:"count,omitempty"`
	ForEach *Value `json:"for_each,omitempty"`
	// Providers passes provider configurations to the module, in the author's order.
	Providers []ModuleProvider `json:"providers,omitempty"`
	DependsOn []string         `json:"depends_on,omitempty"` // references: azurerm_resource_group.main, module.other
	// Inputs are the module's input variables; a module call has no nested blocks.
	Inputs Body `json:"inputs"`
}

// ModuleProvider is one entry of a module call's providers map: the module's own provider
// address (azurerm, or azurerm.child) gets the caller's configuration (azurerm.west).
type ModuleProvider struct {
	Name     string `json:"name"`
	Provider string `json:"provider"`
}

// Address is how configuration refers to the call: module.net.
func (m ModuleCall) Address() string { return "module." + m.Name }

// ModuleFile is a file of a local module the blueprint carries: its path relative to the
// blueprint's own directory (modules/net/main.tf), and its text as written.
type ModuleFile struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// Module finds the module call named name; nil when b has none.
func (b *Blueprint) Module(name string) *ModuleCall {
	for i := range b.Modules {
		if b.Modules[i].Name == name {
			return &b.Modules[i]
		}
	}
	return nil
}

// IsLocalModuleSource says whether a module source is a folder of the configuration: like
// terraform, only a path that starts with ./ or ../ is one.
func IsLocalModuleSource(source string) bool {
	return strings.HasPrefix(source, "./") || strings.HasPrefix(source, "../")
}

var registryPart = regexp.MustCompile(`^[0-9A-Za-z](?:[0-9A-Za-z_-]{0,62}[0-9A-Za-z])?$`)

// IsRegistryModuleSource says whether a module source is a module registry address,
// [HOST/]NAMESPACE/NAME/SYSTEM with an optional //subdirectory, the only kind of source
// terraform accepts a version constraint for. github.com and bitbucket.org shorthands are
// not registry addresses, and neither is anything with a scheme, a getter (git::) or a query.
func IsRegistryModuleSource(source string) bool {
	if source == "" || IsLocalModuleSource(source) || strings.ContainsAny(source, ":?") {
		return false
	}
	if i := strings.Index(source, "//"); i >= 0 {
		source = source[:i]
	}
	parts := strings.Split(source, "/")
	switch len(parts) {
	case 3:
	case 4:
		host := strings.ToLower(parts[0])
		if !strings.Contains(host, ".") || host == "github.com" || host == "bitbucket.org" {
			return false
		}
		parts = parts[1:]
	default:
		return false
	}
	if parts[0] == "github.com" || parts[0] == "bitbucket.org" {
		return false
	}
	for _, p := range parts {
		if !registryPart.MatchString(p) {
			return false
		}
	}
	return true
}

// moduleDir is the folder a local source names, relative to the blueprint's directory,
// from a call written in the folder from ("." for the blueprint's own files). It is false
// when the folder is outside the blueprint's directory.
func moduleDir(from, source string) (string, bool) {
	dir := path.Clean(path.Join(from, source))
	if dir == ".." || strings.HasPrefix(dir, "../") || dir == "." {
		return "", false
	}
	return dir, true
}

var safePathPart = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$`)

// validModuleFilePath says whether p names a .tf file in a folder of the blueprint's
// directory: relative, slash-separated, clean, each part a plain name. The directory's own
// files are the generated ones, so a module file is always in a subfolder.
func validModuleFilePath(p string) bool {
	if !strings.HasSuffix(p, ".tf") || path.Clean(p) != p || !strings.Contains(p, "/") || len(p) > 1024 {
		return false
	}
	for _, part := range strings.Split(p, "/") {
		if !safePathPart.MatchString(part) || strings.HasPrefix(part, "..") {
			return false
		}
	}
	return true
}

// ModuleFolders lists the folders of the local modules that files (by slash-separated name,
// relative to the configuration's directory) call, relative to that directory, sorted: what
// a reader must add for Import to carry the modules (tfsource.ReadDirModules takes it). A
// file that does not parse, or a source that is not a literal string, names nothing;
// Import reports those.
func ModuleFolders(files map[string][]byte) []string {
	seen := map[string]bool{}
	for name, src := range files {
		if !strings.HasSuffix(name, ".tf") || hcllimit.Config(src, name) != nil {
			continue
		}
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			continue
		}
		for _, source := range localSources(f.Body.(*hclsyntax.Body)) {
			if dir, ok := moduleDir(path.Dir(slashed(name)), source); ok {
				seen[dir] = true
			}
		}
	}
	out := keys(seen)
	sort.Strings(out)
	return out
}

// localSources lists the local sources of a file's module calls, those written as literal
// strings.
func localSources(body *hclsyntax.Body) []string {
	var out []string
	for _, blk := range body.Blocks {
		a := blk.Body.Attributes["source"]
		if blk.Type != "module" || a == nil {
			continue
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || !v.Type().Equals(cty.String) {
			continue
		}
		if s := v.AsString(); IsLocalModuleSource(s) {
			out = append(out, s)
		}
	}
	return out
}

// LocalModuleFolder is the folder a root module call's local source names, relative to the
// blueprint's directory, where its ModuleFiles are; false for a source that is not local
// or leads outside the blueprint.
func LocalModuleFolder(source string) (string, bool) {
	if !IsLocalModuleSource(source) {
		return "", false
	}
	return moduleDir(".", source)
}
