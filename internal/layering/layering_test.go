package layering

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

const module = "github.com/cloudoven/cloudoven/"

// features are the web layer's feature packages: each holds one feature's handlers,
// templates and tests, and none may import another.
var features = []string{
	"web/account", "web/projects", "web/blueprints", "web/editor", "web/catalogview",
	"web/guardrails", "web/environments", "web/deployments", "web/runview", "web/providersview",
}

// shared is what every feature may import of the web layer.
var shared = []string{"web/page", "web/paths", "web/components", "web/form"}

// domain is what a feature may import of the domain packages.
var domain = []string{
	"auth", "blueprint", "catalog", "deployment", "policy", "providercheck", "providers", "runs", "secrets", "starters",
	"state", "store", "tfsource", "upgrade",
}

// testOnly packages serve tests; no other package's code may import them.
var testOnly = []string{
	"internal/testenv", "web/webtest", "web/htmltest", "crawler/registrytest",
	"crawler/internal/testprovider", "internal/layering", "internal/corpus",
	"internal/schemaprovider", "internal/testregistry", "deploy/helm",
}

// allowed is, for every package of the module, what it may import of the module (beyond
// the test-only packages, which only tests import). A package missing here fails the test:
// a new package must say where it stands.
var allowed = map[string][]string{
	// The domain, bottom up.
	"catalog":       {},
	"auth":          {},
	"egress":        {},
	"runner":        {"egress", "runner/stage"},
	"store":         {"auth", "providers"}, // auth: the store keeps the sign-in throttle's counts (its Ledger)
	"hcllimit":      {},
	"tfsource":      {"hcllimit"},
	"blueprint":     {"catalog", "egress", "hcllimit"},
	"policy":        {"blueprint", "catalog", "hcllimit"},
	"providercheck": {"blueprint", "hcllimit"},
	"crawler":       {"catalog"},
	"secrets":       {"store"},
	"state":         {"store"},
	"starters":      {"blueprint"},
	"upgrade":       {"blueprint", "catalog", "hcllimit"},
	"deployment":    {"blueprint", "catalog", "policy", "state", "store"},
	"runs":          {"blueprint", "catalog", "deployment", "providercheck", "providers", "runner", "state", "store"},

	// The stage driver's protocol and code, beneath the runner: the standard library only.
	"runner/stage": {},
	// The provider cache: its lock files, its packages and the Docker volumes runs mount.
	"providers": {"runner"},

	// The web layer's shared packages.
	"web/paths":      {},
	"web/components": {"blueprint"},
	"web/form":       {"blueprint", "catalog"},
	"web/page":       {"auth", "store", "web/paths"},

	// The top-level web package composes the features; cmd wires everything.
	"web":           nil, // anything but cmd
	"cmd/cloudoven": nil, // anything
	// The egress proxy's binary, alone in its image.
	"cmd/cloudoven-egress": {"egress"},
	// The stage driver's binary, in the runner's image.
	"cmd/cloudoven-stage": {"runner/stage"},

	// Packages of tests.
	"internal/testenv":              {"catalog"},
	"internal/layering":             {},
	"internal/corpus":               {"catalog"},
	"web/htmltest":                  {},
	"web/webtest":                   nil, // builds the whole interface
	"crawler/registrytest":          {},
	"crawler/internal/testprovider": {},
	"internal/schemaprovider":       {},
	"internal/testregistry":         {"internal/testenv"},
	// The Helm chart's tests (deploy/helm/cloudoven).
	"deploy/helm": {},
}

func init() {
	for _, f := range features {
		allowed[f] = append(slices.Clone(shared), domain...)
	}
}

type listedPackage struct {
	Dir          string
	GoFiles      []string
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// listPackages runs `go list -json ./...` at the module's root.
func listPackages(t *testing.T) []listedPackage {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goBin, "list", "-json", "./...")
	cmd.Dir = testenv.RepoRoot()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list's output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	statSources(t, pkgs)
	return pkgs
}

// internal is the module's own imports among imports, without the module prefix.
func internal(imports []string) []string {
	var out []string
	for _, imp := range imports {
		if rest, ok := strings.CutPrefix(imp, module); ok {
			out = append(out, rest)
		}
	}
	return out
}

func TestPackagesImportOnlyWhatTheyMay(t *testing.T) {
	t.Parallel()
	for _, p := range listPackages(t) {
		name := strings.TrimPrefix(p.ImportPath, module)
		if p.ImportPath+"/" == module {
			name = ""
		}
		may, known := allowed[name]
		if !known {
			t.Errorf("package %s is not in the layering table: say what it may import", name)
			continue
		}
		for _, imp := range internal(p.Imports) {
			switch {
			case slices.Contains(testOnly, imp) && !slices.Contains(testOnly, name):
				t.Errorf("%s imports %s, which only tests may import", name, imp)
			case may == nil && name == "cmd/cloudoven":
			case may == nil && imp == "cmd/cloudoven":
				t.Errorf("%s imports cmd/cloudoven", name)
			case may == nil:
			case slices.Contains(features, name) && slices.Contains(features, imp):
				t.Errorf("feature package %s imports feature package %s: move what they share to web/page, web/components or the domain", name, imp)
			case !slices.Contains(may, imp):
				t.Errorf("%s imports %s; it may import only %v", name, imp, may)
			}
		}
	}
}

// The table names only packages that exist, so it cannot drift into saying nothing.
func TestLayeringTableNamesRealPackages(t *testing.T) {
	t.Parallel()
	have := map[string]bool{}
	for _, p := range listPackages(t) {
		have[strings.TrimPrefix(p.ImportPath, module)] = true
	}
	for name, may := range allowed {
		if !have[name] {
			t.Errorf("the layering table names %s, which is not a package", name)
		}
		for _, imp := range may {
			if !have[imp] {
				t.Errorf("the layering table lets %s import %s, which is not a package", name, imp)
			}
		}
	}
}

// statSources looks at every Go file go list read. go test caches a result by the files the
// test itself opened or looked at, and go list is another process: without this, a changed
// import would leave a cached pass in place.
func statSources(t *testing.T, pkgs []listedPackage) {
	t.Helper()
	for _, p := range pkgs {
		for _, f := range p.GoFiles {
			if _, err := os.Stat(filepath.Join(p.Dir, f)); err != nil {
				t.Fatal(err)
			}
		}
	}
}
