package crawler

import (
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
)

// TestOverriddenRulesAreDroppedAndReported: a rule the provider does not enforce leaves the
// catalog, and the coverage report says why; the type's other rules stay.
func TestOverriddenRulesAreDroppedAndReported(t *testing.T) {
	sentence := "May only contain alphanumeric characters and dashes up to 80 characters in length."
	max := 80.0
	rules := map[string][]catalog.Rule{
		"name": {
			{Kind: catalog.RuleLength, Max: &max, Sentence: sentence},
			{Kind: catalog.RulePattern, Pattern: `^[a-zA-Z0-9\-]*$`, Sentence: sentence},
		},
	}
	dropped := dropOverridden("azurerm_api_management_api_version_set", rules)
	if len(rules["name"]) != 1 || rules["name"][0].Kind != catalog.RuleLength {
		t.Errorf("rules left: %+v, want the length rule alone", rules["name"])
	}
	if len(dropped) != 1 || !strings.HasPrefix(dropped[0].Reason, "dropped: ") || dropped[0].Sentence != sentence {
		t.Errorf("dropped: %+v", dropped)
	}
	other := map[string][]catalog.Rule{"name": {{Kind: catalog.RulePattern, Pattern: "^a$", Sentence: "s"}}}
	if d := dropOverridden("azurerm_api_management_api", other); len(d) != 0 || len(other["name"]) != 1 {
		t.Errorf("another type's rule was dropped: %+v", d)
	}
}
