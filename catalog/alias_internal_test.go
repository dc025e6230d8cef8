package catalog

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAliases(t *testing.T) {
	got, err := parseAliases("# comment\n\naks  azurerm_kubernetes_cluster   # the cluster\nK8S azurerm_kubernetes_cluster kubernetes_\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"aks": {"azurerm_kubernetes_cluster"},
		"k8s": {"azurerm_kubernetes_cluster", "kubernetes_"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseAliases (-want +got):\n%s", diff)
	}
	for table, msg := range map[string]string{
		"aks\n":                     `line 1: alias "aks" names no type`,
		"rg a_b\nrg c_d\n":          `line 2: alias "rg" listed twice`,
		"x a_b\n  vnet # no type\n": `line 2: alias "vnet" names no type`,
	} {
		if _, err := parseAliases(table); err == nil || err.Error() != msg {
			t.Errorf("parseAliases(%q) = %v, want %s", table, err, msg)
		}
	}
}

// TestAliasTargetsExist keeps the table honest: every type it names is in the embedded
// catalog, and every prefix target names a provider's types.
func TestAliasTargetsExist(t *testing.T) {
	c, err := Load(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for alias, targets := range aliases {
		for _, target := range targets {
			if strings.HasSuffix(target, "_") {
				if len(c.Search(strings.TrimSuffix(target, "_"), "", 1)) == 0 {
					t.Errorf("alias %s: no type starts with %s", alias, target)
				}
				continue
			}
			if c.Lookup(KindResource, target) == nil {
				t.Errorf("alias %s: the catalog has no resource type %s", alias, target)
			}
		}
	}
}
