package crawler

import (
	"sort"

	"github.com/cloudoven/cloudoven/catalog"
)

// overridden are the rules a docs sentence states that the provider does not enforce: the
// docs are stricter than the provider's own check, so the rule would refuse values the
// provider accepts. Each was found by measuring the rules on the docs' own examples, or by
// reading a new rule against the provider's validation, and checked against that validation;
// its rule is dropped and the coverage report lists it with the reason, like a sentence that
// did not parse.
var overridden = map[string]map[catalog.RuleKind]string{
	"azurerm_api_management_api_version_set.name": {
		catalog.RulePattern: "the provider's check (ApiManagementChildName) also allows underscores, which its own example uses",
	},
	"kubernetes_persistent_volume.spec.persistent_volume_reclaim_policy": {
		catalog.RuleEnum: "the provider's check also allows Delete, which the docs leave out",
	},
	"kubernetes_persistent_volume_v1.spec.persistent_volume_reclaim_policy": {
		catalog.RuleEnum: "the provider's check also allows Delete, which the docs leave out",
	},
}

// dropOverridden removes from rules those of typ that overridden names, and says which.
func dropOverridden(typ string, rules map[string][]catalog.Rule) []Unparsed {
	var dropped []Unparsed
	paths := make([]string, 0, len(rules))
	for p := range rules {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		kinds := overridden[typ+"."+p]
		if kinds == nil {
			continue
		}
		var kept []catalog.Rule
		for _, r := range rules[p] {
			if why, ok := kinds[r.Kind]; ok {
				dropped = append(dropped, Unparsed{Path: p, Sentence: r.Sentence, Reason: "dropped: " + why})
				continue
			}
			kept = append(kept, r)
		}
		if len(kept) == 0 {
			delete(rules, p)
		} else {
			rules[p] = kept
		}
	}
	return dropped
}
