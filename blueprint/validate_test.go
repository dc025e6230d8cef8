package blueprint_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/cloudoven/cloudoven/blueprint"
)

// TestValidateFixtures checks every testdata/invalid/*.txtar: the archive's comment lists
// the diagnostics expected, one a line, as `# ERROR <path>: <summary>` or
// `# WARNING <path>: <summary>` or `# NOTE <path>: <summary>`, and validation must produce exactly those. The archive holds
// blueprint.json and, optionally, env.json (validated with state key "p/b/e.tfstate").
func TestValidateFixtures(t *testing.T) {
	cat := testCatalog(t)
	matches, _ := filepath.Glob("testdata/invalid/*.txtar")
	if len(matches) == 0 {
		t.Fatal("no fixtures in testdata/invalid")
	}
	for _, m := range matches {
		t.Run(strings.TrimSuffix(filepath.Base(m), ".txtar"), func(t *testing.T) {
			t.Parallel()
			a, err := txtar.ParseFile(m)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range strings.Split(string(a.Comment), "\n") {
				if rest, ok := strings.CutPrefix(line, "# ERROR "); ok {
					want = append(want, "error "+rest)
				} else if rest, ok := strings.CutPrefix(line, "# WARNING "); ok {
					want = append(want, "warning "+rest)
				} else if rest, ok := strings.CutPrefix(line, "# NOTE "); ok {
					want = append(want, "note "+rest)
				}
			}
			if len(want) == 0 {
				t.Fatal("fixture lists no expected diagnostic")
			}
			var bp, env []byte
			for _, f := range a.Files {
				switch f.Name {
				case "blueprint.json":
					bp = f.Data
				case "env.json":
					env = f.Data
				}
			}
			b, err := blueprint.ParseDocument(bp)
			if err != nil {
				t.Fatalf("fixture blueprint must parse: %v", err)
			}
			diags := blueprint.Validate(b, cat)
			if env != nil {
				e, err := blueprint.ParseEnvironment(env)
				if err != nil {
					t.Fatalf("fixture environment must parse: %v", err)
				}
				for _, d := range blueprint.ValidateEnvironment(b, e, "p/b/e.tfstate", "") {
					d.Path = "environment." + d.Path
					diags = append(diags, d)
				}
			}
			var got []string
			for _, d := range diags {
				got = append(got, fmt.Sprintf("%s %s: %s", d.Severity, d.Path, d.Summary))
				if d.Detail == "" {
					t.Errorf("diagnostic without a fix: %s", d)
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nall details:\n%s", diff, diags.Error())
			}
		})
	}
}

// TestParseDocumentErrors checks every testdata/baddoc/*.txtar: blueprint.json must be
// refused by ParseDocument with an error containing each `# WANT <text>` line.
func TestParseDocumentErrors(t *testing.T) {
	matches, _ := filepath.Glob("testdata/baddoc/*.txtar")
	if len(matches) == 0 {
		t.Fatal("no fixtures in testdata/baddoc")
	}
	for _, m := range matches {
		t.Run(strings.TrimSuffix(filepath.Base(m), ".txtar"), func(t *testing.T) {
			t.Parallel()
			a, err := txtar.ParseFile(m)
			if err != nil {
				t.Fatal(err)
			}
			var wants []string
			for _, line := range strings.Split(string(a.Comment), "\n") {
				if rest, ok := strings.CutPrefix(line, "# WANT "); ok {
					wants = append(wants, rest)
				}
			}
			if len(wants) == 0 || len(a.Files) != 1 {
				t.Fatal("fixture needs # WANT lines and exactly one file")
			}
			parse := blueprint.ParseDocument
			if a.Files[0].Name == "env.json" {
				parse = func(data []byte) (*blueprint.Blueprint, error) {
					_, err := blueprint.ParseEnvironment(data)
					return nil, err
				}
			}
			_, err = parse(a.Files[0].Data)
			if err == nil {
				t.Fatal("document was accepted")
			}
			if !errors.Is(err, blueprint.ErrDocument) {
				t.Errorf("error does not wrap ErrDocument: %v", err)
			}
			for _, w := range wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
