package policy_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/policy"
)

func TestDisabledRuleAndAllow(t *testing.T) {
	b := importHCL(t, publicLB)
	off := false
	if got := policy.Check(b, only(policy.Rule{ID: "no-public-lb-ip", Enabled: &off}), policy.Options{}); len(got) != 0 {
		t.Errorf("a disabled rule found %v", got)
	}
	if got := policy.Check(b, only(policy.Rule{ID: "no-public-lb-ip", Allow: []string{"azurerm_public_ip.lb"}}), policy.Options{}); len(got) != 0 {
		t.Errorf("allowing the public IP still finds %v", got)
	}
	if got := policy.Check(nil, policy.DefaultRules(), policy.Options{}); got != nil {
		t.Errorf("Check(nil) = %v", got)
	}
}

func TestCheckOrderIsDeterministic(t *testing.T) {
	src := publicLB + deployment + helmImages + `
resource "azurerm_storage_account" "insecure" {
  name                       = "insecure"
  https_traffic_only_enabled = false
}
`
	opts := policy.Options{AllowedRegistries: []string{"myacr.azurecr.io"}, Catalog: testCatalog(t)}
	b := importHCL(t, src)
	first := policy.Check(b, policy.DefaultRules(), opts)
	if len(first) < 8 {
		t.Fatalf("only %d findings; the example should trip every rule", len(first))
	}
	rules := map[string]bool{}
	for i, f := range first {
		rules[f.Rule] = true
		if i > 0 {
			p := first[i-1]
			if p.Resource > f.Resource || p.Resource == f.Resource && p.Path > f.Path {
				t.Errorf("findings out of order at %d: %s before %s", i, p, f)
			}
		}
	}
	if len(rules) != 6 {
		t.Errorf("rules found: %v; want all six", rules)
	}
	// Reversing the resources and the rules changes nothing.
	for i, j := 0, len(b.Resources)-1; i < j; i, j = i+1, j-1 {
		b.Resources[i], b.Resources[j] = b.Resources[j], b.Resources[i]
	}
	rs := policy.DefaultRules()
	for i, j := 0, len(rs.Rules)-1; i < j; i, j = i+1, j-1 {
		rs.Rules[i], rs.Rules[j] = rs.Rules[j], rs.Rules[i]
	}
	if diff := cmp.Diff(first, policy.Check(b, rs, opts)); diff != "" {
		t.Errorf("order depends on input order (-first +second):\n%s", diff)
	}
}
