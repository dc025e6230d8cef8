package policy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/policy"
)

func TestDefaultRules(t *testing.T) {
	rs := policy.DefaultRules()
	var ids []string
	for _, r := range rs.Rules {
		ids = append(ids, r.ID)
		if !r.On() {
			t.Errorf("%s is off by default", r.ID)
		}
		if len(r.Allow) > 0 {
			t.Errorf("%s allows %v by default", r.ID, r.Allow)
		}
	}
	want := []string{"no-public-lb-ip", "required-tags", "https-only-ingress", "allowed-registries", "helm-resource-limits", "no-privileged-containers",
		"no-external-data", "no-http-data", "own-remote-state", "no-provider-exec", "reviewed-modules"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	tags, _ := rs.Rule("required-tags")
	if diff := cmp.Diff([]string{"owner", "environment"}, tags.Tags); diff != "" {
		t.Errorf("required tags (-want +got):\n%s", diff)
	}
}

func TestEveryRuleIsDescribed(t *testing.T) {
	for _, r := range policy.DefaultRules().Rules {
		if d := policy.Describe(r.ID); d == "" || !strings.HasSuffix(d, ".") {
			t.Errorf("rule %s is described as %q; want a sentence", r.ID, d)
		}
	}
	if d := policy.Describe("no-such-rule"); d != "" {
		t.Errorf("an unknown rule is described as %q", d)
	}
}

func TestParseRulesOverridesDefaults(t *testing.T) {
	rs, err := policy.ParseRules([]byte(`{"rules": [
		{"id": "required-tags", "tags": ["cost-center"]},
		{"id": "helm-resource-limits", "enabled": false},
		{"id": "no-public-lb-ip", "allow": ["azurerm_lb.public"]}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != 11 {
		t.Fatalf("got %d rules, want all 11 (unmentioned rules keep their defaults)", len(rs.Rules))
	}
	tags, _ := rs.Rule("required-tags")
	if diff := cmp.Diff([]string{"cost-center"}, tags.Tags); diff != "" || !tags.On() {
		t.Errorf("required-tags = %+v", tags)
	}
	if helm, _ := rs.Rule("helm-resource-limits"); helm.On() {
		t.Errorf("helm-resource-limits is still on")
	}
	if lb, _ := rs.Rule("no-public-lb-ip"); !lb.On() || len(lb.Allow) != 1 {
		t.Errorf("no-public-lb-ip = %+v", lb)
	}
	if priv, _ := rs.Rule("no-privileged-containers"); !priv.On() {
		t.Errorf("an unmentioned rule was turned off")
	}

	empty, err := policy.ParseRules([]byte(`{"rules": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(policy.DefaultRules(), empty); diff != "" {
		t.Errorf("an empty file is not the defaults (-want +got):\n%s", diff)
	}
}

func TestParseRulesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"not json", `rules:`, "rules file: invalid character"},
		{"empty", ``, "empty input"},
		{"missing rules", `{}`, `missing "rules"`},
		{"unknown top-level field", `{"rules": [], "version": 2}`, `unknown field "version"`},
		{"trailing data", `{"rules": []} {}`, "unexpected data after the JSON value"},
		{"unknown rule id", `{"rules": [{"id": "required-tag"}]}`, `rules[0]: unknown rule id "required-tag"; did you mean "required-tags"?`},
		{"missing id", `{"rules": [{"enabled": true}]}`, "rules[0]: missing id"},
		{"unknown rule field", `{"rules": [{"id": "required-tags", "tag": ["owner"]}]}`, `rules[0]: json: unknown field "tag"`},
		{"wrong type", `{"rules": [{"id": "required-tags", "enabled": "yes"}]}`, "rules[0]: json: cannot unmarshal string"},
		{"listed twice", `{"rules": [{"id": "required-tags"}, {"id": "required-tags"}]}`, "rules[1] (required-tags): rule listed twice, first at rules[0]"},
		{"tags on another rule", `{"rules": [{"id": "no-public-lb-ip", "tags": ["owner"]}]}`, `rules[0] (no-public-lb-ip): "tags" applies only to required-tags`},
		{"empty tags", `{"rules": [{"id": "required-tags", "tags": []}]}`, `"tags" is empty`},
		{"blank tag", `{"rules": [{"id": "required-tags", "tags": ["owner", " "]}]}`, "tags[1] is empty"},
		{"allow not an address", `{"rules": [{"id": "no-public-lb-ip", "allow": ["my lb"]}]}`, `allow[0] "my lb" is not an address`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ParseRules([]byte(tc.src))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}
