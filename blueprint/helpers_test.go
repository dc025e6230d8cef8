package blueprint_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testCatalog is the embedded catalog, loaded once per test binary.
func testCatalog(t testing.TB) *catalog.Catalog { return testenv.Catalog(t) }

func readBlueprint(t testing.TB, path string) *blueprint.Blueprint {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blueprint.ParseDocument(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// generateCase is one golden case: NAME.blueprint.json with an optional NAME.env.json.
type generateCase struct {
	name string
	bp   *blueprint.Blueprint
	opts blueprint.GenerateOptions
}

func generateCases(t testing.TB) []generateCase {
	t.Helper()
	matches, err := filepath.Glob("testdata/generate/*.blueprint.json")
	if err != nil || len(matches) == 0 {
		t.Fatalf("no golden cases found: %v", err)
	}
	var out []generateCase
	for _, m := range matches {
		name := strings.TrimSuffix(filepath.Base(m), ".blueprint.json")
		c := generateCase{name: name, bp: readBlueprint(t, m)}
		envPath := filepath.Join("testdata/generate", name+".env.json")
		if data, err := os.ReadFile(envPath); err == nil {
			env, err := blueprint.ParseEnvironment(data)
			if err != nil {
				t.Fatalf("%s: %v", envPath, err)
			}
			c.opts.Environment = env
			c.opts.StateKey = blueprint.DefaultStateKey("golden", c.bp.Name, env.Name)
			c.opts.StateAddress = "https://cloudoven.example.com/api/v1/state/golden/" + c.bp.Name + "/" + env.Name
		}
		out = append(out, c)
	}
	return out
}
