package crawler_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
)

func ptr(f float64) *float64 { return &f }

// ruleSchema is a type with one argument of each shape the miner tells apart.
func ruleSchema() *tfjson.Schema {
	opt := func(t cty.Type) *tfjson.SchemaAttribute {
		return &tfjson.SchemaAttribute{AttributeType: t, Optional: true}
	}
	return &tfjson.Schema{Block: &tfjson.SchemaBlock{
		Attributes: map[string]*tfjson.SchemaAttribute{
			"name": opt(cty.String), "dns_prefix": opt(cty.String), "sku_tier": opt(cty.String),
			"retention_in_days": opt(cty.Number), "enabled": opt(cty.Bool), "zones": opt(cty.Set(cty.String)),
			"mode": opt(cty.String), "throughput": opt(cty.Number), "autoscale": opt(cty.Number),
			"identity_ids": opt(cty.List(cty.String)), "key_vault_id": opt(cty.String), "url": opt(cty.String),
			"security_rule": opt(cty.Set(cty.Object(map[string]cty.Type{"access": cty.String, "priority": cty.Number}))),
		},
		NestedBlocks: map[string]*tfjson.SchemaBlockType{
			"identity": {NestingMode: tfjson.SchemaNestingModeList, Block: &tfjson.SchemaBlock{
				Attributes: map[string]*tfjson.SchemaAttribute{"type": opt(cty.String), "identity_ids": opt(cty.Set(cty.String))},
			}},
		},
	}}
}

// TestMineRules reads real sentences of the providers' docs (quoted as the pages write them).
func TestMineRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path, text string
		want             []catalog.Rule
	}{
		{
			name: "enumeration with a remark, a default and forces-new", path: "sku_tier",
			text: "The SKU Tier that should be used for this Kubernetes Cluster. Possible values are `Free`, `Standard` (which includes the Uptime SLA) and `Premium`. Defaults to `Free`.",
			want: []catalog.Rule{
				{Kind: catalog.RuleEnum, Values: []string{"Free", "Standard", "Premium"}, Sentence: "Possible values are `Free`, `Standard` (which includes the Uptime SLA) and `Premium`."},
				{Kind: catalog.RuleDefault, Default: "Free", Sentence: "Defaults to `Free`."},
			},
		},
		{
			name: "length, allowed, first and last characters in one sentence", path: "dns_prefix",
			text: "DNS prefix specified when creating the managed cluster. Possible values must begin and end with a letter or number, contain only letters, numbers, and hyphens and be between 1 and 54 characters in length. Changing this forces a new resource to be created.",
			want: []catalog.Rule{
				{Kind: catalog.RuleLength, Min: ptr(1), Max: ptr(54), Sentence: "Possible values must begin and end with a letter or number, contain only letters, numbers, and hyphens and be between 1 and 54 characters in length."},
				{Kind: catalog.RulePattern, Pattern: `^[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?$`, Sentence: "Possible values must begin and end with a letter or number, contain only letters, numbers, and hyphens and be between 1 and 54 characters in length."},
				{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."},
			},
		},
		{
			name: "range in backticks", path: "retention_in_days",
			text: "The workspace data retention in days. Possible values are either 7 (Free Tier only) or range between 30 and 730. Must be between `30` and `730`.",
			want: []catalog.Rule{{Kind: catalog.RuleRange, Min: ptr(30), Max: ptr(730), Sentence: "Must be between `30` and `730`."}},
		},
		{
			name: "range with the default marked on a bound", path: "retention_in_days",
			text: "The number of days that items should be retained for once soft-deleted. This value can be between `7` and `90` (the default) days.",
			want: []catalog.Rule{{Kind: catalog.RuleRange, Min: ptr(7), Max: ptr(90), Sentence: "This value can be between `7` and `90` (the default) days."}},
		},
		{
			name: "range in a relative clause", path: "retention_in_days",
			text: "The request timeout in seconds, which must be between 1 and 86400 seconds. Defaults to `30`.",
			want: []catalog.Rule{
				{Kind: catalog.RuleRange, Min: ptr(1), Max: ptr(86400), Sentence: "The request timeout in seconds, which must be between 1 and 86400 seconds."},
				{Kind: catalog.RuleDefault, Default: "30", Sentence: "Defaults to `30`."},
			},
		},
		{
			name: "a range under a condition is not kept", path: "retention_in_days",
			text: "When using a V1 SKU this value must be between `1` and `32`, and `1` to `125` for a V2 SKU.",
		},
		{
			name: "an attribute of a list of objects written as blocks", path: "security_rule.access",
			text: "Specifies whether network traffic is allowed or denied. Possible values are `Allow` and `Deny`.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"Allow", "Deny"}, Sentence: "Possible values are `Allow` and `Deny`."}},
		},
		{
			name: "enumeration on a bool is not kept", path: "enabled",
			text: "Is this rule enabled? Possible values are `true` and `false`.",
		},
		{
			name: "enumeration on a set applies to its elements", path: "zones",
			text: "Specifies a list of Availability Zones. Possible values are `1`, `2` and `3`.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"1", "2", "3"}, Sentence: "Possible values are `1`, `2` and `3`."}},
		},
		{
			name: "a list said to include values is partial", path: "mode",
			text: "The mode. Possible values include `Default` and `Basic`.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"Default", "Basic"}, Partial: true, Sentence: "Possible values include `Default` and `Basic`."}},
		},
		{
			name: "values after a dash in the middle of a sentence", path: "mode",
			text: "The Consistency Level to use for this CosmosDB Account - can be either `BoundedStaleness`, `Eventual`, `Session`, `Strong` or `ConsistentPrefix`.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"BoundedStaleness", "Eventual", "Session", "Strong", "ConsistentPrefix"}, Sentence: "The Consistency Level to use for this CosmosDB Account - can be either `BoundedStaleness`, `Eventual`, `Session`, `Strong` or `ConsistentPrefix`."}},
		},
		{
			name: "values for a part of the value are not kept", path: "mode",
			text: "The first segment of the `sku_name` defines the `name` of the SKU, possible values are `Gateway` and `EdgeMR_Mini`.",
		},
		{
			name: "labels in italics after each value", path: "mode",
			text: "Valid values are `ios` for _iOS_, `java` for _Java web_ and `web` for _ASP.NET_.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"ios", "java", "web"}, Sentence: "Valid values are `ios` for _iOS_, `java` for _Java web_ and `web` for _ASP.NET_."}},
		},
		{
			name: "values in a conditional sentence are not kept", path: "mode",
			text: "When `sku_tier` is `Premium`, possible values are `A` and `B`.",
		},
		{
			name: "conflicts with a sibling", path: "throughput",
			text: "The throughput of the database. Conflicts with `autoscale`.",
			want: []catalog.Rule{{Kind: catalog.RuleConflictsWith, Paths: []string{"autoscale"}, Sentence: "Conflicts with `autoscale`."}},
		},
		{
			name: "required when another argument has a value", path: "identity.identity_ids",
			text: "A list of User Assigned Managed Identity IDs.  ~> **Note:** This is required when `type` is set to `UserAssigned` or `SystemAssigned, UserAssigned`.",
			want: []catalog.Rule{{Kind: catalog.RuleRequiredWith, Paths: []string{"identity.type"}, Values: []string{"type = UserAssigned", "type = SystemAssigned, UserAssigned"}, Sentence: "This is required when `type` is set to `UserAssigned` or `SystemAssigned, UserAssigned`."}},
		},
		{
			name: "exactly one of", path: "key_vault_id",
			text: "The Key Vault ID. Exactly one of `key_vault_id` or `url` must be specified.",
			want: []catalog.Rule{{Kind: catalog.RuleExactlyOneOf, Paths: []string{"key_vault_id", "url"}, Sentence: "Exactly one of `key_vault_id` or `url` must be specified."}},
		},
		{
			name: "lowercase alphanumeric only", path: "name",
			text: "Specifies the name of the storage account. Only lowercase Alphanumeric characters allowed. Changing this forces a new resource to be created. This must be unique across the entire Azure service, not just within the resource group.",
			want: []catalog.Rule{
				{Kind: catalog.RulePattern, Pattern: "^[a-z0-9]*$", Sentence: "Only lowercase Alphanumeric characters allowed."},
				{Kind: catalog.RuleForcesNew, Sentence: "Changing this forces a new resource to be created."},
			},
		},
		{
			name: "length and characters stated together", path: "name",
			text: "Specifies the name of the Log Analytics Workspace. Workspace name should include 4-63 letters, digits or '-'. The '-' shouldn't be the first or the last symbol.",
			want: []catalog.Rule{
				{Kind: catalog.RuleLength, Min: ptr(4), Max: ptr(63), Sentence: "Workspace name should include 4-63 letters, digits or '-'."},
				{Kind: catalog.RulePattern, Pattern: `^[a-zA-Z0-9\-]*$`, Sentence: "Workspace name should include 4-63 letters, digits or '-'."},
			},
		},
		{
			name: "a maximum length", path: "name",
			text: "Release name. The length must not be longer than 53 characters.",
			want: []catalog.Rule{{Kind: catalog.RuleLength, Max: ptr(53), Sentence: "The length must not be longer than 53 characters."}},
		},
		{
			name: "a condition on forces-new leaves it out", path: "name",
			text: "Once `kind` has been set, changing it forces a new Data Collection Rule to be created.",
		},
		{
			name: "an octal file mode is not a decimal range", path: "retention_in_days",
			text: "Must be a value between 0 and 0777.",
		},
		{
			name: "an octal file mode on a string argument is not a range", path: "mode",
			text: "Optional: mode bits to use on created files by default. Must be a value between 0 and 0777. Defaults to 0644.",
			want: []catalog.Rule{{Kind: catalog.RuleDefault, Default: "0644", Sentence: "Defaults to 0644."}},
		},
		{
			name: "bare values after one of", path: "mode",
			text: "Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"Always", "Never", "IfNotPresent"}, Sentence: "One of Always, Never, IfNotPresent."}},
		},
		{
			name: "bare values with the default marked", path: "mode",
			text: "Mount propagation mode. mount_propagation determines how mounts are propagated from the host to container and the other way around. Valid values are None (default), HostToContainer and Bidirectional.",
			want: []catalog.Rule{
				{Kind: catalog.RuleEnum, Values: []string{"None", "HostToContainer", "Bidirectional"}, Sentence: "Valid values are None (default), HostToContainer and Bidirectional."},
				{Kind: catalog.RuleDefault, Default: "None", Sentence: "Valid values are None (default), HostToContainer and Bidirectional."},
			},
		},
		{
			name: "a Go list of quoted strings with the empty string", path: "mode",
			text: `What type of storage medium should back this directory. The default is "" which means to use the node's default medium. Must be one of ["" "Memory" "HugePages" "HugePages-2Mi" "HugePages-1Gi"].`,
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"", "Memory", "HugePages", "HugePages-2Mi", "HugePages-1Gi"}, Sentence: `Must be one of ["" "Memory" "HugePages" "HugePages-2Mi" "HugePages-1Gi"].`}},
		},
		{
			name: "the empty string marked as the default is a value, not a default", path: "mode",
			text: `Type for HostPath volume. Allowed values are "" (default), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice and BlockDevice`,
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"}, Sentence: `Allowed values are "" (default), DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice and BlockDevice`}},
		},
		{
			name: "when specified is no condition on an enumeration", path: "mode",
			text: "This is the effect to match. When specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}, Sentence: "When specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute."}},
		},
		{
			name: "currently supported bare values", path: "mode",
			text: "Name is the name of the operating system. The currently supported values are linux and windows.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"linux", "windows"}, Sentence: "The currently supported values are linux and windows."}},
		},
		{
			name: "bare values on a set apply to its elements", path: "zones",
			text: "One of Always, Never, IfNotPresent.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"Always", "Never", "IfNotPresent"}, Sentence: "One of Always, Never, IfNotPresent."}},
		},
		{
			name: "bare words on a number argument are not kept", path: "throughput",
			text: "One of Always, OnFailure, Never.",
		},
		{
			name: "bare words on a bool argument are not kept", path: "enabled",
			text: "One of Never, PreemptLowerPriority.",
		},
		{
			name: "bare values written in two cases are not kept", path: "mode",
			text: "Specifies the operating system Type, valid values are windows, Linux.",
		},
		{
			name: "prose after quoted values does not become a value", path: "mode",
			text: "Supported values include `NFSv3` or `NFSv4.1`, multi-protocol is not supported.",
			want: []catalog.Rule{{Kind: catalog.RuleEnum, Values: []string{"NFSv3", "NFSv4.1"}, Partial: true, Sentence: "Supported values include `NFSv3` or `NFSv4.1`, multi-protocol is not supported."}},
		},
		{
			name: "a default written bare", path: "mode",
			text: "Indicate how the termination message should be populated. File will use the contents of terminationMessagePath to populate the container status message on both success and failure. Defaults to File.",
			want: []catalog.Rule{{Kind: catalog.RuleDefault, Default: "File", Sentence: "Defaults to File."}},
		},
		{
			name: "a default written bare with a condition is not kept", path: "mode",
			text: "Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.",
		},
		{
			name: "a default written bare on a number argument is not kept", path: "throughput",
			text: "Defaults to Shared",
		},
		{
			name: "a default after a period without a space", path: "enabled",
			text: "Prevent hooks from running.Defaults to `false`.",
			want: []catalog.Rule{{Kind: catalog.RuleDefault, Default: "false", Sentence: "Prevent hooks from running.Defaults to `false`."}},
		},
		{
			name: "one of starting prose is not an enumeration", path: "mode",
			text: "One of the containers must be named, and the others must follow it.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := &catalog.Doc{Arguments: map[string]string{tt.path: tt.text}}
			got, _ := crawler.MineRules(doc, ruleSchema())
			if diff := cmp.Diff(tt.want, got[tt.path]); diff != "" {
				t.Errorf("MineRules(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestMineRulesReportsWhatItDoesNotParse: a sentence that looks like a rule and is not one
// the miner understands is listed, not guessed; so are two enumerations that disagree.
func TestMineRulesReportsWhatItDoesNotParse(t *testing.T) {
	t.Parallel()
	doc := &catalog.Doc{Arguments: map[string]string{
		"mode": "Must be a value between 0 and 0777.",
		"name": "Possible values are `A` and `B`.  ~> **Note:** Possible values are `C` and `D`.",
	}}
	rules, unparsed := crawler.MineRules(doc, ruleSchema())
	if len(rules) != 0 {
		t.Errorf("rules = %v, want none", rules)
	}
	var got []string
	for _, u := range unparsed {
		got = append(got, u.Path+": "+u.Sentence)
	}
	want := []string{
		"mode: Must be a value between 0 and 0777.",
		"name: Possible values are `A` and `B`.",
		"name: Possible values are `C` and `D`.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unparsed (-want +got):\n%s", diff)
	}
}

func TestCoverageWriteReportWithRules(t *testing.T) {
	t.Parallel()
	c := crawler.Coverage{
		Provider: "demo", Arguments: 1, Described: 1,
		Rules:    map[catalog.RuleKind]int{catalog.RuleEnum: 2, catalog.RuleDefault: 1},
		Unparsed: []string{"demo_thing.mode: no parser matched: Valid values are None and Some."},
	}
	var b bytes.Buffer
	if err := c.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	want := "\n## rules: 3 mined from the docs\n\ndefault 1\nenum 2\n\n## unparsed: 1 sentences that look like rules but did not parse\n\ndemo_thing.mode: no parser matched: Valid values are None and Some.\n"
	if got := b.String(); !strings.HasSuffix(got, want) {
		t.Errorf("WriteReport ends with\n%s\nwant\n%s", got, want)
	}
}

// ruleFloors are the rules per kind mined from the real docs of ../shared/data, just under
// what was measured, so a change to the docs parser or the miner that loses rules fails.
var ruleFloors = map[string]map[catalog.RuleKind]int{
	"azurerm": {
		catalog.RuleEnum: 2170, catalog.RuleRange: 360, catalog.RuleLength: 63, catalog.RulePattern: 40, catalog.RuleCase: 3,
		catalog.RuleDefault: 2260, catalog.RuleForcesNew: 5250, catalog.RuleConflictsWith: 230, catalog.RuleExactlyOneOf: 80,
		catalog.RuleAtLeastOneOf: 40, catalog.RuleRequiredWith: 185,
	},
	"azuread":    {catalog.RuleEnum: 68, catalog.RuleDefault: 48, catalog.RuleForcesNew: 95, catalog.RuleConflictsWith: 13, catalog.RuleAtLeastOneOf: 18},
	"kubernetes": {catalog.RuleEnum: 195, catalog.RuleRange: 80, catalog.RuleDefault: 790},
	"helm":       {catalog.RuleEnum: 3, catalog.RuleDefault: 34},
	"random":     {catalog.RuleDefault: 20},
}

func checkRuleFloors(t *testing.T, c crawler.Coverage, report string) {
	t.Helper()
	t.Logf("%s: %d rules %v, %d sentences that look like rules did not parse", c.Provider, c.RuleCount(), c.Rules, len(c.Unparsed))
	for kind, floor := range ruleFloors[c.Provider] {
		if c.Rules[kind] < floor {
			t.Errorf("%s: %d %s rules mined, want at least %d; see %s", c.Provider, c.Rules[kind], kind, floor, report)
		}
	}
}

// FuzzMineRules: any prose, however broken, mines without panicking, and every rule it
// keeps quotes a sentence of that prose.
func FuzzMineRules(f *testing.F) {
	for _, s := range []string{
		"Possible values are `Free`, `Standard` (which includes the Uptime SLA) and `Premium`. Defaults to `Free`.",
		"Possible values must begin and end with a letter or number, contain only letters, numbers, and hyphens and be between 1 and 54 characters in length.",
		"Must be between `30` and `730`. Conflicts with `autoscale`. ~> **Note:** This is required when `type` is set to `UserAssigned`.",
		"Possible values are `", "between `1` and", "`a.` b. ~>", "Exactly one of `url` or",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		doc := &catalog.Doc{Arguments: map[string]string{"name": text, "retention_in_days": text, "zones": text, "identity.identity_ids": text}}
		rules, _ := crawler.MineRules(doc, ruleSchema())
		flat := strings.Join(strings.Fields(text), " ")
		for path, rs := range rules {
			for _, r := range rs {
				if !strings.Contains(flat, r.Sentence) {
					t.Errorf("%s: rule %s quotes %q, which is not in the text", path, r.Kind, r.Sentence)
				}
			}
		}
	})
}
