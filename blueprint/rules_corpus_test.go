package blueprint_test

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/corpus"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// Floors of the rules corpus measurement, just under what was measured (see the test's log):
// the share of single mutations caught on the right field, per mutation kind.
var minCaught = map[string]float64{"enum": 99.5, "range": 99.5, "pattern": 99.5, "length": 99.5}

// minStated are floors of the share of literal arguments whose docs word a rule that the
// catalog holds one for: the miner's coverage of the corpus (measured 98.6%, 85.5%, 93.2%).
var minStated = map[string]float64{"enum": 98, "range": 85, "characters": 92.5}

type finding struct{ key, text string }

// docsExamplesFindings says why the docs' own examples get the findings they get, each read
// in the example, keyed by example and diagnostic path: all are mistakes of the examples.
// (The one false alarm measured, azurerm_api_management_api_version_set's name, where the
// docs are stricter than the provider, is dropped by the crawler: crawler/rules_overrides.go.)
var docsExamplesFindings = map[string]string{
	"azurerm/resource/azurerm_chaos_studio_capability#0 resources[azurerm_kubernetes_cluster.example].identity[0].type":                                                        placeholder,
	"azurerm/resource/azurerm_chaos_studio_target#0 resources[azurerm_kubernetes_cluster.example].identity[0].type":                                                            placeholder,
	"azurerm/resource/azurerm_dev_center_project#0 resources[azurerm_dev_center.example].identity[0].type":                                                                     placeholder,
	"azurerm/resource/azurerm_elastic_san#0 resources[azurerm_elastic_san.example].sku[0].name":                                                                                placeholder,
	"azurerm/resource/azurerm_kubernetes_cluster_trusted_access_role_binding#0 resources[azurerm_key_vault.example].sku_name":                                                  placeholder,
	"azurerm/resource/azurerm_kubernetes_cluster_trusted_access_role_binding#0 resources[azurerm_kubernetes_cluster.example].identity[0].type":                                 placeholder,
	"azurerm/resource/azurerm_kubernetes_cluster_trusted_access_role_binding#0 resources[azurerm_storage_account.example].account_tier":                                        placeholder,
	"azurerm/resource/azurerm_kubernetes_cluster_trusted_access_role_binding#0 resources[azurerm_storage_account.example].account_replication_type":                            placeholder,
	"azurerm/resource/azurerm_kubernetes_cluster_trusted_access_role_binding#0 resources[azurerm_machine_learning_workspace.example].identity[0].type":                         placeholder,
	"azurerm/resource/azurerm_kubernetes_cluster_trusted_access_role_binding#0 resources[azurerm_application_insights.example].application_type":                               placeholder,
	"azurerm/resource/azurerm_kubernetes_fleet_member#0 resources[azurerm_kubernetes_cluster.example].identity[0].type":                                                        placeholder,
	"azurerm/resource/azurerm_oracle_autonomous_database#0 resources[azurerm_oracle_autonomous_database.example].db_workload":                                                  placeholder,
	"azurerm/resource/azurerm_oracle_autonomous_database#0 resources[azurerm_oracle_autonomous_database.example].character_set":                                                placeholder,
	"azurerm/resource/azurerm_oracle_autonomous_database#0 resources[azurerm_oracle_autonomous_database.example].admin_password":                                               placeholder,
	"azurerm/resource/azurerm_oracle_autonomous_database#0 resources[azurerm_oracle_autonomous_database.example].license_model":                                                placeholder,
	"azurerm/resource/azurerm_oracle_autonomous_database#0 resources[azurerm_oracle_autonomous_database.example].national_character_set":                                       placeholder,
	"azurerm/resource/azurerm_container_registry_task_schedule_run_now#0 resources[azurerm_container_registry.example].name":                                                   "a registry name with a hyphen, which azurerm's name check refuses",
	"azurerm/resource/azurerm_container_registry_token_password#0 resources[azurerm_container_registry.example].name":                                                          "a registry name with a hyphen, which azurerm's name check refuses",
	"azurerm/resource/azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint#0 resources[azurerm_storage_account.example2].name":                            "a storage account name with a hyphen, which azurerm's name check refuses",
	"azurerm/resource/azurerm_storage_account_local_user#0 resources[azurerm_storage_account.example].name":                                                                    "a storage account name with a hyphen, which azurerm's name check refuses",
	"azurerm/resource/azurerm_storage_sync_server_endpoint#0 resources[azurerm_storage_account.example].name":                                                                  "a storage account name with a hyphen, which azurerm's name check refuses",
	"azurerm/resource/azurerm_virtual_machine_implicit_data_disk_from_source#0 resources[azurerm_virtual_machine_implicit_data_disk_from_source.example].caching":              `caching "None": the provider's check allows only ReadOnly and ReadWrite here`,
	"azurerm/resource/azurerm_maintenance_assignment_virtual_machine#0 resources[azurerm_maintenance_configuration.example].scope":                                             `scope "All", a value of older provider versions that the 5.2.0 docs no longer list`,
	"azurerm/resource/azurerm_qumulo_file_system#0 resources[azurerm_qumulo_file_system.example].storage_sku":                                                                  `storage_sku "Standard", a value of an older API that the 5.2.0 docs no longer list`,
	"azurerm/resource/azurerm_maintenance_assignment_virtual_machine_scale_set#0 resources[azurerm_linux_virtual_machine.example]":                                             "an abridged virtual machine: no credentials, no image",
	"azurerm/resource/azurerm_virtual_machine_scale_set_extension#0 resources[azurerm_linux_virtual_machine_scale_set.example]":                                                "an abridged scale set: no credentials",
	"azuread/resource/azuread_application_api_access#1 resources[azuread_application_api_access.example]":                                                                      `an abridged example ("# ...")`,
	"azurerm/resource/azurerm_virtual_network_peering#1 resources[azurerm_subnet.nva]":                                                                                         "the subnet sets address_prefix, which 5.2.0 no longer has",
	"azurerm/resource/azurerm_kusto_eventgrid_data_connection#0 resources[azurerm_eventgrid_event_subscription.example]":                                                       "the subscription sets eventhub_endpoint_id, which 5.2.0 does not have (it has eventhub_id)",
	"azurerm/resource/azurerm_container_app_custom_domain#0 resources[azurerm_container_app_environment_certificate.example]":                                                  "the certificate sets certificate_blob, which 5.2.0 does not have (it has certificate_blob_base64)",
	"azurerm/resource/azurerm_stream_analytics_output_servicebus_queue#0 resources[azurerm_stream_analytics_output_servicebus_queue.example].serialization[0].encoding":        csvSerialization,
	"azurerm/resource/azurerm_stream_analytics_output_servicebus_queue#0 resources[azurerm_stream_analytics_output_servicebus_queue.example].serialization[0].field_delimiter": csvSerialization,
	"azurerm/resource/azurerm_stream_analytics_output_servicebus_topic#0 resources[azurerm_stream_analytics_output_servicebus_topic.example].serialization[0].encoding":        csvSerialization,
	"azurerm/resource/azurerm_stream_analytics_output_servicebus_topic#0 resources[azurerm_stream_analytics_output_servicebus_topic.example].serialization[0].field_delimiter": csvSerialization,
	"azurerm/resource/azurerm_key_vault_managed_storage_account#1 data[azuread_service_principal.test]":                                                                        "the data source sets application_id, which azuread 3.9.0 does not have (it has client_id)",
}

const (
	placeholder      = `a placeholder ("example-value", "example", "false") where the docs list the values`
	csvSerialization = "a Csv serialization without the encoding and field_delimiter the docs' note requires (a warning)"
)

// mutation is one single-value mistake made in an example's text.
type mutation struct {
	example, kind, provider string
	path                    string // the diagnostic path the finding must land on
	src                     []byte
	from, to                string
}

// TestRulesOnTheDocsExamples measures the docs' rules on the corpus of the docs' own
// examples: no rule finding on an unmutated example (a false alarm), and single mutations
// the docs forbid (an enumeration value they do not list, a number out of their range, a
// character they do not allow, a length beyond theirs) flagged on the mutated field.
func TestRulesOnTheDocsExamples(t *testing.T) {
	if testing.Short() {
		// -short is for the edit loop; under CI=true this fails rather than skip.
		testenv.Unavailable(t, "-short: imports and validates every example of the docs, and thousands of mutations")
	}
	t.Parallel()
	cat := testenv.Catalog(t)
	examples := corpus.Examples(cat)
	var alarms []finding
	var muts []mutation
	stated := map[string]*statedTally{}
	imported := 0
	for _, e := range examples {
		files := map[string][]byte{"main.tf": []byte(e.Source)}
		b, _ := blueprint.Import(files)
		if b == nil {
			continue
		}
		blueprint.Complete(b, cat)
		imported++
		for _, d := range ruleFindings(blueprint.Validate(b, cat)) {
			alarms = append(alarms, finding{key: e.Name() + " " + d.Path, text: fmt.Sprintf("%s: %s", e.Name(), d)})
		}
		muts = append(muts, mutate(e, cat, stated)...)
	}
	known, unexplained := 0, 0
	seen := map[string]bool{}
	for _, a := range alarms {
		if why, ok := docsExamplesFindings[a.key]; ok {
			seen[a.key] = true
			known++
			t.Logf("explained finding (%s): %s", why, a.text)
			continue
		}
		if unexplained++; unexplained <= 50 {
			t.Errorf("false alarm: %s", a.text)
		}
	}
	for k := range docsExamplesFindings {
		if !seen[k] {
			t.Errorf("%s is listed in docsExamplesFindings but no longer found: remove it", k)
		}
	}
	t.Logf("%d examples, %d imported; %d rule findings on unmutated examples: %d explained, %d unexplained",
		len(examples), imported, len(alarms), known, unexplained)

	type tally struct{ n, caught int }
	byKind, byProvider := map[string]*tally{}, map[string]*tally{}
	var missed []string
	examplesMutated := map[string]bool{}
	for _, m := range muts {
		examplesMutated[m.example] = true
		b, _ := blueprint.Import(map[string][]byte{"main.tf": m.src})
		ok := false
		if b != nil {
			blueprint.Complete(b, cat)
			for _, d := range ruleFindings(blueprint.Validate(b, cat)) {
				ok = ok || d.Severity == blueprint.Error && d.Path == m.path
			}
		}
		for _, t := range []*tally{get(byKind, m.kind), get(byProvider, m.provider)} {
			t.n++
			if ok {
				t.caught++
			}
		}
		if !ok {
			missed = append(missed, fmt.Sprintf("%s: %s %s: %q → %q", m.example, m.kind, m.path, m.from, m.to))
		}
	}
	t.Logf("%d mutations in %d examples", len(muts), len(examplesMutated))
	for _, k := range sortedKeys(stated) {
		st := stated[k]
		t.Logf("literal arguments whose docs word a %s rule: %d, of which %d have one in the catalog (%.1f%%)", k, st.n, st.ruled, share(st.ruled, st.n))
		if len(st.missing) > 0 {
			t.Logf("  without one: %s", strings.Join(st.missing[:min(len(st.missing), 20)], ", "))
		}
		if share(st.ruled, st.n) < minStated[k] {
			t.Errorf("%s rules cover %.1f%% of the literal arguments whose docs word one, want at least %.1f%%", k, share(st.ruled, st.n), minStated[k])
		}
	}
	all := tally{}
	for _, k := range sortedKeys(byKind) {
		tl := byKind[k]
		all.n, all.caught = all.n+tl.n, all.caught+tl.caught
		t.Logf("kind %-8s %5d mutations, %5d caught (%.1f%%)", k, tl.n, tl.caught, share(tl.caught, tl.n))
		if share(tl.caught, tl.n) < minCaught[k] {
			t.Errorf("%s mutations caught %.1f%%, want at least %.1f%%", k, share(tl.caught, tl.n), minCaught[k])
		}
	}
	for _, k := range sortedKeys(byProvider) {
		tl := byProvider[k]
		t.Logf("provider %-10s %5d mutations, %5d caught (%.1f%%)", k, tl.n, tl.caught, share(tl.caught, tl.n))
	}
	t.Logf("all: %d mutations, %d caught (%.1f%%)", all.n, all.caught, share(all.caught, all.n))
	for i, m := range missed {
		if i == 40 {
			t.Logf("… and %d more missed", len(missed)-40)
			break
		}
		t.Logf("missed: %s", m)
	}
}

func get[T any](m map[string]*T, k string) *T {
	if m[k] == nil {
		m[k] = new(T)
	}
	return m[k]
}

func share(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

// ruleFindings keeps the diagnostics that rules of the docs made.
func ruleFindings(ds blueprint.Diagnostics) blueprint.Diagnostics {
	var out blueprint.Diagnostics
	for _, d := range ds {
		if strings.HasPrefix(d.Detail, blueprint.DocsDetailPrefix) {
			out = append(out, d)
		}
	}
	return out
}

// mutate makes every single mutation of an example's literal arguments that a clearly
// stated rule forbids.
func mutate(e corpus.Example, cat *catalog.Catalog, stated map[string]*statedTally) []mutation {
	src := []byte(e.Source)
	f, diags := hclsyntax.ParseConfig(src, "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return nil
	}
	var out []mutation
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		if len(blk.Labels) != 2 || blk.Type != "resource" && blk.Type != "data" {
			continue
		}
		kind, prefix := catalog.KindResource, "resources["
		if blk.Type == "data" {
			kind, prefix = catalog.KindDataSource, "data["
		}
		typ := cat.Lookup(kind, blk.Labels[0])
		if typ == nil || typ.Schema == nil || typ.Doc == nil {
			continue
		}
		mu := mutator{e: e, src: src, typ: typ, stated: stated}
		mu.body(prefix+blk.Labels[0]+"."+blk.Labels[1]+"]", "", blk.Body, typ.Schema.Block)
		out = append(out, mu.out...)
	}
	return out
}

type mutator struct {
	e      corpus.Example
	src    []byte
	typ    *catalog.Type
	out    []mutation
	stated map[string]*statedTally
}

// statedTally counts literal arguments whose docs word a rule, and those the catalog holds
// a checkable rule for: the coverage of the miner on the corpus.
type statedTally struct {
	n, ruled int
	missing  []string // the arguments without one
}

var statedWording = map[string]*regexp.Regexp{
	"enum":       regexp.MustCompile("(?i)(?:(?:possible|valid|allowed|accepted|supported) (?:values|options) (?:are|is)|must be one of|can be either|possible value is):? [`'\"]"),
	"range":      regexp.MustCompile("(?i)between `?[0-9]+`? (?:and|to) `?[0-9]+`?|must be at least `?[0-9]|maximum of `?[0-9]"),
	"characters": regexp.MustCompile(`(?i)characters|letters|hyphens|alphanumeric`),
}

// count tallies one literal argument at schema path sp.
func (mu *mutator) count(sp string, t cty.Type) {
	text := mu.typ.Doc.Arguments[sp]
	for kind, re := range statedWording {
		if !re.MatchString(text) {
			continue
		}
		if kind == "range" && t != cty.Number || kind == "characters" && t != cty.String || kind == "enum" && t == cty.Bool {
			continue
		}
		st := get(mu.stated, kind)
		st.n++
		ruled := false
		for _, r := range mu.typ.Rules(sp) {
			ruled = ruled || kind == "enum" && r.Kind == catalog.RuleEnum && !r.Partial || kind == "range" && r.Kind == catalog.RuleRange ||
				kind == "characters" && (r.Kind == catalog.RulePattern || r.Kind == catalog.RuleLength || r.Kind == catalog.RuleCase)
		}
		if ruled {
			st.ruled++
		} else if !slices.Contains(st.missing, mu.typ.Name+"."+sp) {
			st.missing = append(st.missing, mu.typ.Name+"."+sp)
		}
	}
}

func (mu *mutator) body(path, schemaPath string, body *hclsyntax.Body, schema *tfjson.SchemaBlock) {
	names := make([]string, 0, len(body.Attributes))
	for n := range body.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := body.Attributes[n]
		if schema.Attributes[n] == nil {
			continue
		}
		sp := n
		if schemaPath != "" {
			sp = schemaPath + "." + n
		}
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.IsWhollyKnown() && !v.IsNull() && v.Type().IsPrimitiveType() {
			if st := schema.Attributes[n].AttributeType; st.IsPrimitiveType() {
				mu.count(sp, st)
			}
		}
		for _, r := range mu.typ.Rules(sp) {
			if tup, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok {
				if len(tup.Exprs) > 0 {
					mu.literal(fmt.Sprintf("%s.%s[0]", path, n), tup.Exprs[0], r)
				}
				continue
			}
			mu.literal(path+"."+n, a.Expr, r)
		}
	}
	counts := map[string]int{}
	for _, blk := range body.Blocks {
		i := counts[blk.Type]
		counts[blk.Type]++
		sp := blk.Type
		if schemaPath != "" {
			sp = schemaPath + "." + blk.Type
		}
		nb := schema.NestedBlocks[blk.Type]
		switch {
		case blk.Type == "dynamic":
		case nb != nil && nb.Block != nil:
			mu.body(fmt.Sprintf("%s.%s[%d]", path, blk.Type, i), sp, blk.Body, nb.Block)
		case schema.Attributes[blk.Type] != nil:
			// a list of objects written as blocks (azurerm's security_rule)
			if ot := objectElem(schema.Attributes[blk.Type].AttributeType); ot != cty.NilType {
				mu.body(fmt.Sprintf("%s.%s[%d]", path, blk.Type, i), sp, blk.Body, objectSchema(ot))
			}
		}
	}
}

// literal makes the mutations of one literal expression that rule r forbids, when the
// literal itself keeps the rule.
func (mu *mutator) literal(path string, expr hclsyntax.Expression, r catalog.Rule) {
	switch expr.(type) {
	case *hclsyntax.LiteralValueExpr, *hclsyntax.TemplateExpr:
	default:
		return
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || !v.Type().IsPrimitiveType() {
		return
	}
	add := func(kind string, nv cty.Value) {
		rng := expr.Range()
		text := hclwrite.TokensForValue(nv).Bytes()
		src := slices.Concat(mu.src[:rng.Start.Byte], text, mu.src[rng.End.Byte:])
		mu.out = append(mu.out, mutation{example: mu.e.Name(), provider: mu.e.Provider, kind: kind, path: path, src: src,
			from: string(mu.src[rng.Start.Byte:rng.End.Byte]), to: string(text)})
	}
	switch r.Kind {
	case catalog.RuleEnum:
		if r.Partial || v.Type() != cty.String || !slices.Contains(r.Values, v.AsString()) {
			return
		}
		if wrong := notAllowed(v.AsString(), r.Values); wrong != "" {
			add("enum", cty.StringVal(wrong))
		}
	case catalog.RuleRange:
		n, ok := number(v)
		if !ok || r.Min != nil && n < *r.Min || r.Max != nil && n > *r.Max {
			return
		}
		if r.Max != nil {
			add("range", sameKind(v, *r.Max+1))
		}
		if r.Min != nil {
			add("range", sameKind(v, *r.Min-1))
		}
	case catalog.RulePattern:
		re, err := regexp.Compile(r.Pattern)
		if err != nil || v.Type() != cty.String || !re.MatchString(v.AsString()) || strings.Contains(v.AsString(), "${") {
			return
		}
		s := v.AsString()
		for _, c := range []string{"_", "!"} {
			m := s[:len(s)/2] + c + s[len(s)/2:]
			if !re.MatchString(m) {
				add("pattern", cty.StringVal(m))
				return
			}
		}
	case catalog.RuleLength:
		if v.Type() != cty.String || r.Max == nil || strings.Contains(v.AsString(), "${") {
			return
		}
		s := v.AsString()
		if float64(len(s)) > *r.Max || s == "" {
			return
		}
		add("length", cty.StringVal(s+strings.Repeat(s[len(s)-1:], int(*r.Max)+1-len(s))))
	}
}

// notAllowed is a plausible value the list does not allow: v with its last letter changed.
func notAllowed(v string, allowed []string) string {
	for _, c := range []string{"q", "x", "z", "Q"} {
		w := v + c
		if len(v) > 1 {
			w = v[:len(v)-1] + c
		}
		if !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, w) }) {
			return w
		}
	}
	return ""
}

func number(v cty.Value) (float64, bool) {
	switch v.Type() {
	case cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f, true
	case cty.String:
		f, _, err := big.ParseFloat(v.AsString(), 10, 64, big.ToNearestEven)
		if err != nil {
			return 0, false
		}
		x, _ := f.Float64()
		return x, true
	}
	return 0, false
}

// sameKind writes n as the literal was written: a number, or a string of digits.
func sameKind(v cty.Value, n float64) cty.Value {
	if v.Type() == cty.String {
		return cty.StringVal(big.NewFloat(n).Text('f', -1))
	}
	return cty.NumberFloatVal(n)
}

func objectElem(t cty.Type) cty.Type {
	if t.IsListType() || t.IsSetType() {
		t = t.ElementType()
	}
	if t.IsObjectType() {
		return t
	}
	return cty.NilType
}

// objectSchema is an object type seen as a block of optional attributes.
func objectSchema(ot cty.Type) *tfjson.SchemaBlock {
	b := &tfjson.SchemaBlock{Attributes: map[string]*tfjson.SchemaAttribute{}}
	for n, t := range ot.AttributeTypes() {
		b.Attributes[n] = &tfjson.SchemaAttribute{AttributeType: t, Optional: true}
	}
	return b
}
