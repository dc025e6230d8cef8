package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/agext/levenshtein"
)

// Rule IDs, in the order Rules lists them.
const (
	NoPublicLBIP           = "no-public-lb-ip"
	RequiredTags           = "required-tags"
	HTTPSOnlyIngress       = "https-only-ingress"
	AllowedRegistries      = "allowed-registries"
	HelmResourceLimits     = "helm-resource-limits"
	NoPrivilegedContainers = "no-privileged-containers"
	NoExternalData         = "no-external-data"
	NoHTTPData             = "no-http-data"
	OwnRemoteState         = "own-remote-state"
	NoProviderExec         = "no-provider-exec"
	ReviewedModules        = "reviewed-modules"
)

// ruleIDs is every rule, in canonical order.
var ruleIDs = []string{NoPublicLBIP, RequiredTags, HTTPSOnlyIngress, AllowedRegistries, HelmResourceLimits, NoPrivilegedContainers,
	NoExternalData, NoHTTPData, OwnRemoteState, NoProviderExec, ReviewedModules}

// blocking are the rules whose findings refuse every plan, whatever the environment says:
// each catches a construct that runs a program or sends data out during the plan itself,
// with the environment's secrets at hand and before anyone approves anything. The other
// rules are about what an apply would build, and block only where an environment says so.
var blocking = map[string]bool{NoExternalData: true, NoHTTPData: true, OwnRemoteState: true, NoProviderExec: true, ReviewedModules: true}

// Blocks reports whether findings of the rule with the given id refuse every plan and
// destroy, whatever the environment's "findings block plans" setting: true for the rules
// that catch code-running and data-leaking constructs.
func Blocks(id string) bool { return blocking[id] }

// descriptions say what each rule checks, in a sentence for people.
var descriptions = map[string]string{
	NoPublicLBIP:           "No public IP on a load balancer (azurerm_lb frontends, public IPs attached to one, Kubernetes LoadBalancer services without the internal annotation) unless the resource is allowed.",
	RequiredTags:           "Every Azure resource that takes tags sets these keys; Kubernetes resources set them as labels.",
	HTTPSOnlyIngress:       "Ingress is HTTPS only: Application Gateway listeners on plain HTTP must redirect, Kubernetes ingresses need TLS, storage accounts keep HTTPS-only traffic.",
	AllowedRegistries:      "Container images come only from the environment's allowed registries (off when an environment lists none).",
	HelmResourceLimits:     "Helm releases set CPU and memory limits in their values, where the values say so.",
	NoPrivilegedContainers: "No privileged containers and no privilege escalation, in Kubernetes resources and Helm values.",
	NoExternalData:         "No external data source: it runs a program on the runner during every plan, with the environment's secrets in its environment.",
	NoHTTPData:             "No http data source: it sends a request to a URL of the blueprint's choosing during every plan, with whatever the URL and headers carry.",
	OwnRemoteState:         "terraform_remote_state reads only the state of this project's own deployments, at this CloudOven's state backend; another backend or host, or an address that cannot be known before the plan, is a finding.",
	NoProviderExec:         "No exec in a provider configuration (the kubernetes provider's exec block, the helm provider's kubernetes exec): it runs a program on the runner during every plan.",
	ReviewedModules:        "Module calls run only code the guardrails can see: a local module whose files the blueprint carries and that holds none of the constructs above nor a provisioner; a module fetched by terraform init (registry, git, URL) needs a reviewed exception.",
}

// Describe says what the rule with the given id checks, in one sentence for people (the
// rules page shows it beside the rule); an unknown id gives "".
func Describe(id string) string { return descriptions[id] }

// defaultTags are the tag keys required-tags asks for unless a project says otherwise.
var defaultTags = []string{"owner", "environment"}

// Rules is a project's rule file: {"rules": [{"id": "required-tags", "tags": ["owner"]}]}.
type Rules struct {
	Rules []Rule `json:"rules"`
}

// Rule configures one rule.
type Rule struct {
	ID string `json:"id"`
	// Enabled turns the rule off with false; absent (nil) means on.
	Enabled *bool `json:"enabled,omitempty"`
	// Tags are the keys required-tags requires; only that rule takes them.
	Tags []string `json:"tags,omitempty"`
	// Allow lists addresses the rule lets through: a reviewed exception, kept in the file so
	// that it is visible. Every rule takes it. Addresses are written as the rule's findings
	// name them: azurerm_lb.public, data.http.ping, provider.kubernetes.
	Allow []string `json:"allow,omitempty"`
}

// On reports whether the rule runs.
func (r Rule) On() bool { return r.Enabled == nil || *r.Enabled }

// DefaultRules is every rule, enabled, with safe defaults: required-tags asks for owner and
// environment, and nothing is allowed by exception.
func DefaultRules() Rules {
	out := Rules{}
	for _, id := range ruleIDs {
		r := Rule{ID: id}
		if id == RequiredTags {
			r.Tags = append([]string(nil), defaultTags...)
		}
		out.Rules = append(out.Rules, r)
	}
	return out
}

// Rule returns the rule with the given id, and whether it is listed.
func (rs Rules) Rule(id string) (Rule, bool) {
	for _, r := range rs.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// addressPattern is an address as Allow takes it: TYPE.NAME for a managed resource,
// data.TYPE.NAME for a data source, provider.NAME or provider.NAME.ALIAS for a provider
// configuration, module.NAME for a module call.
var addressPattern = regexp.MustCompile(`^(data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$|^provider\.[a-z][a-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)?$|^module\.[A-Za-z_][A-Za-z0-9_-]*$`)

// ParseRules reads a project's rule file. JSON is read strictly: an unknown field, an
// unknown rule id, a rule listed twice, a setting the rule does not take or trailing data is
// an error that says where and how to fix it.
//
// The file overrides DefaultRules rule by rule: a rule it does not mention keeps its default,
// and a setting it leaves out keeps the default setting, so a guardrail is turned off only by
// saying "enabled": false, never by omission. The result lists every rule in canonical order.
func ParseRules(data []byte) (Rules, error) {
	var top struct {
		Rules []json.RawMessage `json:"rules"`
	}
	if err := strictDecode(data, &top); err != nil {
		return Rules{}, fmt.Errorf("rules file: %w; it is an object with one field, \"rules\", a list of {\"id\": ...}", err)
	}
	if top.Rules == nil {
		return Rules{}, errors.New("rules file: missing \"rules\"; write {\"rules\": []} to keep every default")
	}
	out := DefaultRules()
	seen := map[string]int{}
	for i, raw := range top.Rules {
		where := fmt.Sprintf("rules[%d]", i)
		var r Rule
		if err := strictDecode(raw, &r); err != nil {
			return Rules{}, fmt.Errorf("%s: %w; a rule has id, enabled, tags and allow", where, err)
		}
		if r.ID == "" {
			return Rules{}, fmt.Errorf("%s: missing id; use one of %s", where, strings.Join(ruleIDs, ", "))
		}
		where = fmt.Sprintf("rules[%d] (%s)", i, r.ID)
		idx := ruleIndex(r.ID)
		if idx < 0 {
			return Rules{}, fmt.Errorf("rules[%d]: unknown rule id %q;%s known rules are %s", i, r.ID, didYouMean(r.ID), strings.Join(ruleIDs, ", "))
		}
		if prev, dup := seen[r.ID]; dup {
			return Rules{}, fmt.Errorf("%s: rule listed twice, first at rules[%d]; merge the two entries", where, prev)
		}
		seen[r.ID] = i
		if r.Tags != nil && r.ID != RequiredTags {
			return Rules{}, fmt.Errorf("%s: \"tags\" applies only to %s; remove it", where, RequiredTags)
		}
		if r.ID == RequiredTags && r.Tags != nil {
			if len(r.Tags) == 0 {
				return Rules{}, fmt.Errorf("%s: \"tags\" is empty; list at least one key, or set \"enabled\": false", where)
			}
			for j, t := range r.Tags {
				if strings.TrimSpace(t) == "" {
					return Rules{}, fmt.Errorf("%s: tags[%d] is empty; a tag key is a non-empty string", where, j)
				}
			}
		}
		for j, a := range r.Allow {
			if !addressPattern.MatchString(a) {
				return Rules{}, fmt.Errorf("%s: allow[%d] %q is not an address; write TYPE.NAME for a resource (azurerm_lb.public), data.TYPE.NAME for a data source (data.http.ping), provider.NAME[.ALIAS] for a provider configuration (provider.kubernetes) or module.NAME for a module call", where, j, a)
			}
		}
		merged := out.Rules[idx]
		if r.Enabled != nil {
			merged.Enabled = r.Enabled
		}
		if r.Tags != nil {
			merged.Tags = r.Tags
		}
		if r.Allow != nil {
			merged.Allow = r.Allow
		}
		out.Rules[idx] = merged
	}
	return out, nil
}

func ruleIndex(id string) int {
	for i, known := range ruleIDs {
		if known == id {
			return i
		}
	}
	return -1
}

func didYouMean(id string) string {
	best, bestDist := "", 4
	for _, known := range ruleIDs {
		if d := levenshtein.Distance(id, known, nil); d < bestDist {
			best, bestDist = known, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" did you mean %q?", best)
}

// strictDecode decodes one JSON value, refusing unknown fields and anything after it.
func strictDecode(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty input")
		}
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}
