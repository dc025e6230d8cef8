package providercheck_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/providercheck"
	"github.com/cloudoven/cloudoven/starters"
)

// TestStartersWithSchemaStandIns times the check on the AKS starters, whose providers
// (azurerm, azuread, helm, kubernetes, random) cannot be downloaded here: in the mirror each
// is internal/schemaprovider serving the catalog's real schema over the plugin protocol,
// with no provider-side checks. It is the cost of init and validate with providers of
// their real size: the first check, a second one that is not cached, and the cached
// answer. A starter is valid, so the stand-ins find nothing; every line is mapped.
func TestStartersWithSchemaStandIns(t *testing.T) {
	if testing.Short() {
		testenv.Unavailable(t, "-short: builds the schema stand-ins")
	}
	tf := testenv.Terraform(t)
	mirror := schemaMirror(t, testenv.Catalog(t))
	for _, id := range []string{"aks-baseline", "aks-addons"} {
		t.Run(id, func(t *testing.T) {
			b, err := starters.Blueprint(id, id)
			if err != nil {
				t.Fatal(err)
			}
			cache := &mapCache{}
			opts := providercheck.Options{Terraform: tf, Mirror: providercheck.MirrorDir(mirror), TempDir: t.TempDir()}
			first, err := providercheck.New(opts).Check(t.Context(), b)
			if err != nil {
				t.Fatal(err)
			}
			opts.Cache = cache
			c := providercheck.New(opts)
			second, err := c.Check(t.Context(), b)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			cached, err := c.Check(t.Context(), b)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			if second.Cached || !cached.Cached {
				t.Errorf("second check cached %v, third %v", second.Cached, cached.Cached)
			}
			if len(first.Diagnostics) != 0 {
				t.Errorf("the schema stand-ins find problems in a valid starter: %v", first.Diagnostics.Blueprint())
			}
			if len(first.Providers) == 0 {
				t.Error("no providers")
			}
			for _, p := range first.Providers {
				if p.Version == "" && p.Source != catalog.BuiltinSource {
					t.Errorf("provider %s has no version from the lock file", p.Source)
				}
			}
			t.Logf("%s with %v (schema stand-ins): first check %s, second (not cached) %s, cached answer %s",
				id, first.Providers, first.Duration.Round(time.Millisecond), second.Duration.Round(time.Millisecond), took.Round(time.Microsecond))
		})
	}
}

// mapCache is a Cache in memory.
type mapCache struct{ m map[string][]byte }

func (c *mapCache) ProviderCheck(_ context.Context, key string) ([]byte, time.Time, bool, error) {
	r, ok := c.m[key]
	return r, time.Now(), ok, nil
}

func (c *mapCache) SaveProviderCheck(_ context.Context, key string, result []byte) error {
	if c.m == nil {
		c.m = map[string][]byte{}
	}
	c.m[key] = result
	return nil
}

// schemaMirror builds internal/schemaprovider and puts it in a filesystem mirror under the
// name and version of every provider of cat, each one a small script that tells it where
// its schema is: terraform gives a provider no environment of the check's own.
func schemaMirror(t testing.TB, cat *catalog.Catalog) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to build internal/schemaprovider")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "schemaprovider")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./internal/schemaprovider")
	cmd.Dir = testenv.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building internal/schemaprovider: %v\n%s", err, out)
	}
	schemas := filepath.Join(dir, "schemas")
	mirror := filepath.Join(dir, "mirror")
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for _, p := range cat.Providers() {
		if p.Source == catalog.BuiltinSource {
			continue
		}
		data, err := json.Marshal(map[string]*tfjson.ProviderSchema{p.Source: p.Schema})
		if err != nil {
			t.Fatal(err)
		}
		named := filepath.Join(schemas, "terraform-provider-"+p.Name)
		if err := os.MkdirAll(schemas, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(schemas, p.Name+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(bin, named); err != nil {
			t.Fatal(err)
		}
		at := filepath.Join(mirror, filepath.FromSlash(p.Source), p.Version, platform)
		if err := os.MkdirAll(at, 0o755); err != nil {
			t.Fatal(err)
		}
		script := "#!/bin/sh\nSCHEMAPROVIDER_DIR=" + strconv.Quote(schemas) + " exec " + strconv.Quote(named) + " \"$@\"\n"
		testenv.WriteExecutable(t, filepath.Join(at, "terraform-provider-"+p.Name+"_v"+p.Version), []byte(script))
	}
	return mirror
}
