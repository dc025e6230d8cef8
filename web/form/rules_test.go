package form

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
)

func num(f float64) *float64 { return &f }

// aksRules are rules as the crawler mines them from azurerm_kubernetes_cluster's docs.
var aksRules = map[string][]catalog.Rule{
	"sku_tier": {
		{Kind: catalog.RuleEnum, Values: []string{"Free", "Standard", "Premium"}, Sentence: "Possible values are `Free`, `Standard` and `Premium`."},
		{Kind: catalog.RuleDefault, Default: "Free", Sentence: "Defaults to `Free`."},
	},
	"dns_prefix": {
		{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."},
		{Kind: catalog.RuleLength, Min: num(1), Max: num(54), Sentence: "between 1 and 54 characters in length"},
		{Kind: catalog.RulePattern, Pattern: `^[a-zA-Z0-9][a-zA-Z0-9-]*$`, Sentence: "must begin with a letter or number and contain only letters, numbers and hyphens"},
	},
	"kubernetes_version": {
		{Kind: catalog.RuleEnum, Values: []string{"1.30", "1.31"}, Partial: true, Sentence: "such as `1.30` or `1.31`"},
	},
	"default_node_pool.node_count": {
		{Kind: catalog.RuleRange, Min: num(0), Max: num(1000), Sentence: "must be between `0` and `1000`"},
	},
	"default_node_pool": {
		{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."},
	},
	"local_account_disabled": {
		{Kind: catalog.RuleEnum, Values: []string{"true"}, Sentence: "nonsense for a bool"},
		{Kind: catalog.RuleDefault, Default: "false", Sentence: "Defaults to `false`."},
	},
	"automatic_upgrade_channel": {
		{Kind: catalog.RuleConflictsWith, Paths: []string{"node_os_upgrade_channel"}, Sentence: "Conflicts with `node_os_upgrade_channel`."},
	},
}

func ruledForm(t *testing.T, body blueprint.Body, managed bool) map[string]Field {
	t.Helper()
	typ := aks(t)
	f := Build(typ.Schema.Block, body, Options{Rules: func(p string) []catalog.Rule { return aksRules[p] }, Managed: managed})
	byKey := map[string]Field{}
	for _, fl := range f.Fields() {
		byKey[fl.Key] = fl
	}
	for _, b := range f.Blocks {
		if b.Key == "default_node_pool" && managed != (b.ForcesNew != "") {
			t.Errorf("default_node_pool block ForcesNew = %q with managed %v", b.ForcesNew, managed)
		}
	}
	return byKey
}

func TestBuildReadsTheDocsRules(t *testing.T) {
	body := blueprint.Body{
		Attributes: []blueprint.Attribute{{Name: "sku_tier", Value: blueprint.String("Standard")}},
		Blocks:     Skeleton(aks(t).Schema.Block, nil).Blocks,
	}
	fields := ruledForm(t, body, true)

	sku := fields["sku_tier"]
	if !sku.ChoiceInput() || sku.Unlisted() || sku.Placeholder() != "default: Free" || sku.UnsetLabel() != "not set (default: Free)" {
		t.Errorf("sku_tier: choice %v unlisted %v placeholder %q unset %q", sku.ChoiceInput(), sku.Unlisted(), sku.Placeholder(), sku.UnsetLabel())
	}
	if diff := cmp.Diff([]string{"Free", "Standard", "Premium"}, sku.Rules.Choices); diff != "" {
		t.Errorf("sku_tier choices (-want +got):\n%s", diff)
	}

	dns := fields["dns_prefix"]
	if dns.Rules.ForcesNew == "" || dns.Rules.MinLength != 1 || dns.Rules.MaxLength != 54 {
		t.Errorf("dns_prefix constraints %+v", dns.Rules)
	}
	wantHints := []Hint{
		{Kind: catalog.RuleLength, Text: "between 1 and 54 characters", Sentence: "between 1 and 54 characters in length"},
		{Kind: catalog.RulePattern, Text: "must begin with a letter or number and contain only letters, numbers and hyphens", Sentence: "must begin with a letter or number and contain only letters, numbers and hyphens"},
	}
	if diff := cmp.Diff(wantHints, dns.Rules.Hints); diff != "" {
		t.Errorf("dns_prefix hints (-want +got):\n%s", diff)
	}
	if dns.HintsID() != "h-dns_prefix" {
		t.Errorf("dns_prefix hints id %q", dns.HintsID())
	}

	kv := fields["kubernetes_version"]
	if kv.ChoiceInput() || !kv.SuggestInput() || len(kv.Rules.Hints) != 1 {
		t.Errorf("kubernetes_version (partial list): choice %v suggest %v hints %v", kv.ChoiceInput(), kv.SuggestInput(), kv.Rules.Hints)
	}

	nc := fields["default_node_pool[0].node_count"]
	if !nc.RangeInput() || *nc.Rules.Min != 0 || *nc.Rules.Max != 1000 || nc.Rules.Hints[0].Text != "between 0 and 1000" {
		t.Errorf("node_count: range %v constraints %+v", nc.RangeInput(), nc.Rules)
	}

	lad := fields["local_account_disabled"]
	if lad.ChoiceInput() || lad.UnsetLabel() != "not set (default: false)" {
		t.Errorf("a bool never becomes a choice of the docs' values: choice %v, unset label %q", lad.ChoiceInput(), lad.UnsetLabel())
	}
	if got := fields["automatic_upgrade_channel"].Rules.Hints; len(got) != 1 || got[0].Text != "not together with node_os_upgrade_channel" {
		t.Errorf("automatic_upgrade_channel hints %v", got)
	}
	if fields["location"].HintsID() != "" || fields["location"].Rules.ForcesNew != "" {
		t.Errorf("location has no rules, yet %+v", fields["location"].Rules)
	}
}

func TestBuildMarksForcesNewOnManagedResourcesOnly(t *testing.T) {
	fields := ruledForm(t, blueprint.Body{Blocks: Skeleton(aks(t).Schema.Block, nil).Blocks}, false)
	if got := fields["dns_prefix"].Rules.ForcesNew; got != "" {
		t.Errorf("a data source's dns_prefix is marked forces-new: %q", got)
	}
	if !fields["sku_tier"].ChoiceInput() {
		t.Error("a data source's enumeration is no choice")
	}
}

func TestChoiceKeepsAValueTheDocsDoNotList(t *testing.T) {
	for name, v := range map[string]blueprint.Value{
		"unlisted literal": blueprint.String("Enterprise"),
		"reference":        blueprint.Ref("var.sku"),
	} {
		t.Run(name, func(t *testing.T) {
			body := blueprint.Body{Attributes: []blueprint.Attribute{{Name: "sku_tier", Value: v}}}
			f := ruledForm(t, body, true)["sku_tier"]
			if v.Kind == blueprint.ReferenceKind {
				if f.ChoiceInput() || f.Mode != RefMode || f.Text != "var.sku" {
					t.Errorf("a reference shows as a choice: mode %s text %q", f.Mode, f.Text)
				}
				return
			}
			if !f.ChoiceInput() || !f.Unlisted() || f.Text != "Enterprise" || f.HintsID() == "" {
				t.Errorf("unlisted value: choice %v unlisted %v text %q hints %q", f.ChoiceInput(), f.Unlisted(), f.Text, f.HintsID())
			}
		})
	}
}

func TestRangeInputKeepsTextANumberInputWouldDrop(t *testing.T) {
	for text, want := range map[string]bool{"": true, "3": true, "-1.5": true, "1e3": true, "0.5": true, "abc": false, ".5": false, "+3": false, "1e999": false, "NaN": false, "0x10": false} {
		f := Field{Widget: NumberWidget, Mode: ValueMode, Text: text, Rules: Constraints{Min: num(0)}}
		if got := f.RangeInput(); got != want {
			t.Errorf("RangeInput with text %q = %v, want %v", text, got, want)
		}
	}
	if (Field{Widget: NumberWidget, Mode: ValueMode, Text: "3"}).RangeInput() {
		t.Error("a number without bounds became a number input")
	}
}

func TestBounds(t *testing.T) {
	for _, tt := range []struct {
		lo, hi *float64
		unit   string
		want   string
	}{
		{num(30), num(730), "", "between 30 and 730"},
		{num(1), nil, "", "at least 1"},
		{nil, num(63), " characters", "at most 63 characters"},
		{num(0.5), num(1.25), "", "between 0.5 and 1.25"},
	} {
		if got := bounds(tt.lo, tt.hi, tt.unit); got != tt.want {
			t.Errorf("bounds = %q, want %q", got, tt.want)
		}
	}
	if wholeLength(num(2.5)) != 0 || wholeLength(num(-1)) != 0 || wholeLength(num(63)) != 63 || wholeLength(nil) != 0 {
		t.Error("wholeLength accepts what maxlength cannot hold")
	}
}
