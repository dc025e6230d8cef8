package policy

import (
	"fmt"
	"sort"
	"sync"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
)

// Options are the settings that come from where CloudOven runs rather than from a project's
// rule file.
type Options struct {
	// AllowedRegistries are the registries (myacr.azurecr.io) or repository prefixes
	// (myacr.azurecr.io/team) images may come from; none turns allowed-registries off.
	AllowedRegistries []string
	// Catalog tells required-tags which resource types take tags or labels, and
	// no-provider-exec which provider settings hold objects; nil uses the catalog embedded
	// in the binary.
	Catalog *catalog.Catalog
	// OwnStates are the addresses terraform_remote_state may read: CloudOven's http state
	// backend of each deployment of the project (state.Address). None makes every
	// terraform_remote_state a finding of own-remote-state.
	OwnStates []string
}

// Finding is one guardrail a blueprint does not keep.
type Finding struct {
	Rule     string `json:"rule"`     // rule id: required-tags
	Resource string `json:"resource"` // resource address: azurerm_storage_account.state
	// Path is where the editor shows the finding, in blueprint.Diagnostic's form:
	// resources[azurerm_lb.main].frontend_ip_configuration[0].public_ip_address_id.
	Path    string `json:"path"`
	Message string `json:"message"` // what is wrong
	Fix     string `json:"fix"`     // a concrete change that resolves it
	// Blocks says the finding refuses every plan and destroy, whatever the environment
	// says (Blocks of its rule).
	Blocks bool `json:"blocks,omitempty"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s (fix: %s)", f.Rule, f.Path, f.Message, f.Fix)
}

// Check runs every enabled rule over the blueprint and returns the findings sorted by
// resource, path, rule and message, so the same blueprint and rules always give the same
// list. Most rules look at managed resources only, since data sources create nothing; the
// rules that Blocks look at data sources and provider configurations, which run during the
// plan itself.
func Check(b *blueprint.Blueprint, rules Rules, opts Options) []Finding {
	if b == nil {
		return nil
	}
	c := &checker{b: b, opts: opts}
	var out []Finding
	for _, rule := range rules.Rules {
		if !rule.On() {
			continue
		}
		run := ruleFuncs[rule.ID]
		if run == nil {
			continue // ParseRules refuses unknown ids; a Rules built in Go may still hold one
		}
		allowed := map[string]bool{}
		for _, a := range rule.Allow {
			allowed[a] = true
		}
		for _, f := range run(c, rule, allowed) {
			if allowed[f.Resource] {
				continue
			}
			f.Rule = rule.ID
			f.Blocks = blocking[rule.ID]
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Resource != b.Resource:
			return a.Resource < b.Resource
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Rule != b.Rule:
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
	// One public IP behind two frontends is one finding, not two.
	uniq := out[:0]
	for i, f := range out {
		if i > 0 && f == out[i-1] {
			continue
		}
		uniq = append(uniq, f)
	}
	return uniq
}

// ruleFuncs are the rules' checks; each returns findings without Rule set.
var ruleFuncs = map[string]func(c *checker, rule Rule, allowed map[string]bool) []Finding{
	NoPublicLBIP:           checkNoPublicLBIP,
	RequiredTags:           checkRequiredTags,
	HTTPSOnlyIngress:       checkHTTPSOnlyIngress,
	AllowedRegistries:      checkAllowedRegistries,
	HelmResourceLimits:     checkHelmResourceLimits,
	NoPrivilegedContainers: checkNoPrivilegedContainers,
	NoExternalData:         checkNoExternalData,
	NoHTTPData:             checkNoHTTPData,
	OwnRemoteState:         checkOwnRemoteState,
	NoProviderExec:         checkNoProviderExec,
	ReviewedModules:        checkReviewedModules,
}

type checker struct {
	b    *blueprint.Blueprint
	opts Options
}

// resources are the managed resources of the given types, in blueprint order.
func (c *checker) resources(types ...string) []*blueprint.Resource {
	return ofTypes(c.b.Resources, types)
}

// data are the data sources of the given types, in blueprint order.
func (c *checker) data(types ...string) []*blueprint.Resource {
	return ofTypes(c.b.Data, types)
}

func ofTypes(list []blueprint.Resource, types []string) []*blueprint.Resource {
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	var out []*blueprint.Resource
	for i := range list {
		if r := &list[i]; want[r.Type] {
			out = append(out, r)
		}
	}
	return out
}

func (c *checker) catalog() *catalog.Catalog {
	if c.opts.Catalog != nil {
		return c.opts.Catalog
	}
	return embeddedCatalog()
}

var (
	embeddedOnce sync.Once
	embedded     *catalog.Catalog
)

// embeddedCatalog is loaded on first use; a catalog that fails to load (it is checked by the
// catalog tests) leaves it nil, and required-tags then checks nothing rather than guess.
func embeddedCatalog() *catalog.Catalog {
	embeddedOnce.Do(func() {
		cat, err := catalog.Load(catalog.Embedded())
		if err == nil {
			embedded = cat
		}
	})
	return embedded
}

// resourcePath is the blueprint path of a managed resource or a data source, as
// diagnostics write it: resources[TYPE.NAME], data[TYPE.NAME].
func resourcePath(r *blueprint.Resource) string {
	if r.Mode == blueprint.DataMode {
		return "data[" + r.Type + "." + r.Name + "]"
	}
	return "resources[" + r.Address() + "]"
}

// block is one nested block found while walking a body, with its path.
type block struct {
	path string
	body blueprint.Body
}

// blocksOf are the nested blocks of one type with their paths: prefix.typ[i].
func blocksOf(prefix string, body blueprint.Body, typ string) []block {
	var out []block
	for i, blk := range body.BlocksOf(typ) {
		out = append(out, block{path: fmt.Sprintf("%s.%s[%d]", prefix, typ, i), body: blk.Body})
	}
	return out
}

// walkBlocks visits every nested block below body, depth first, in order.
func walkBlocks(prefix string, body blueprint.Body, visit func(typ string, b block)) {
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		p := fmt.Sprintf("%s.%s[%d]", prefix, blk.Type, counts[blk.Type])
		counts[blk.Type]++
		visit(blk.Type, block{path: p, body: blk.Body})
		walkBlocks(p, blk.Body, visit)
	}
}
