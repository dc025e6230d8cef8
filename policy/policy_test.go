// What the rules' tests share: the catalog, blueprints imported from Terraform source, and
// a runner for one rule's examples.

package policy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/policy"
)

// testCatalog is the embedded catalog, loaded once per test binary.
func testCatalog(t testing.TB) *catalog.Catalog { return testenv.Catalog(t) }

// importHCL builds a blueprint from Terraform source, failing on any import diagnostic.
func importHCL(t *testing.T, src string) *blueprint.Blueprint {
	t.Helper()
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	for _, d := range diags {
		// A file the example reads is not part of it: the rules never read files.
		if !strings.HasPrefix(d.Path, "files[") {
			t.Fatalf("import: %s", diags.Error())
		}
	}
	b.Name = "test"
	return b
}

// only is a rule set with just one rule on.
func only(rule policy.Rule) policy.Rules {
	return policy.Rules{Rules: []policy.Rule{rule}}
}

// ruleCase is one example for one rule: the findings' paths it must give (none for a
// passing example).
type ruleCase struct {
	name  string
	rule  policy.Rule
	opts  policy.Options
	src   string
	paths []string
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := importHCL(t, tc.src)
			opts := tc.opts
			opts.Catalog = testCatalog(t)
			findings := policy.Check(b, only(tc.rule), opts)
			var paths []string
			for _, f := range findings {
				paths = append(paths, f.Path)
				if f.Rule != tc.rule.ID || f.Resource == "" || f.Message == "" || f.Fix == "" {
					t.Errorf("incomplete finding: %+v", f)
				}
				if !strings.HasPrefix(f.Path, "resources["+f.Resource+"]") {
					t.Errorf("path %s is not under %s", f.Path, f.Resource)
				}
			}
			if diff := cmp.Diff(tc.paths, paths); diff != "" {
				t.Errorf("finding paths (-want +got):\n%s\nfindings: %v", diff, findings)
			}
		})
	}
}
