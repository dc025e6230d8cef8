package policy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/starters"
)

// TestStarters records what DefaultRules says about each starter. Every azurerm starter sets
// tags = var.tags, which required-tags cannot see into, so tags give no finding. The only
// expected finding is appgw-waf's plain HTTP listener: it starts on HTTP until a certificate
// is added, and the https-only-ingress finding is the reminder.
func TestStarters(t *testing.T) {
	want := map[string][]string{
		"appgw-waf": {"https-only-ingress resources[azurerm_application_gateway.main].http_listener[0].protocol"},
	}
	opts := policy.Options{Catalog: testCatalog(t)}
	for _, s := range starters.List() {
		t.Run(s.ID, func(t *testing.T) {
			b, err := starters.Blueprint(s.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range policy.Check(b, policy.DefaultRules(), opts) {
				got = append(got, f.Rule+" "+f.Path)
			}
			if diff := cmp.Diff(want[s.ID], got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			// With literal tags the rule does see the starters' resources.
			replaced := 0
			for i := range b.Resources {
				if a := b.Resources[i].Config.Attribute("tags"); a != nil {
					*a = blueprint.Map(map[string]blueprint.Value{"owner": blueprint.String("platform")})
					replaced++
				}
			}
			findings := policy.Check(b, only(policy.Rule{ID: "required-tags", Tags: []string{"owner", "environment"}}), opts)
			if len(findings) != replaced {
				t.Errorf("%d tag findings for %d resources with tags lacking environment", len(findings), replaced)
			}
			for _, f := range findings {
				if !strings.Contains(f.Message, `"environment"`) {
					t.Errorf("unexpected tag finding: %s", f)
				}
			}
		})
	}
}

// TestStartersAllowedRegistries: the add-ons starter sets no image, so a registry list finds
// nothing there; the charts' own defaults are in their values, which the rule cannot see.
func TestStartersAllowedRegistries(t *testing.T) {
	b, err := starters.Blueprint("aks-addons", "addons")
	if err != nil {
		t.Fatal(err)
	}
	got := policy.Check(b, only(policy.Rule{ID: "allowed-registries"}), policy.Options{AllowedRegistries: []string{"myacr.azurecr.io"}})
	if len(got) != 0 {
		t.Errorf("findings: %v", got)
	}
}
