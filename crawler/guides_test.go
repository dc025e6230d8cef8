package crawler_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/crawler/registrytest"
)

// azurermGuides parses the real azurerm guides against the real 5.2.0 schema.
func azurermGuides(t *testing.T) ([]catalog.Upgrade, crawler.GuideReport) {
	t.Helper()
	data := sharedData(t)
	schema, err := crawler.SchemaFromFile(filepath.Join(data, "azurerm", "schema.json"), "hashicorp/azurerm")
	if err != nil {
		t.Fatal(err)
	}
	guides, err := crawler.ReadGuidesDir(filepath.Join(data, "azurerm", "docs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(guides) == 0 {
		t.Fatal("no guides read")
	}
	return crawler.ParseGuides("azurerm", guides, schema)
}

func findUpgrade(ups []catalog.Upgrade, guide string, kind catalog.Kind, typ, path string) *catalog.Upgrade {
	for i, u := range ups {
		if u.Guide == guide && u.Kind == kind && u.Type == typ && u.Path == path {
			return &ups[i]
		}
	}
	return nil
}

// TestGuidesGiveUpgradeEntries checks the entries the issue names against the real guides.
func TestGuidesGiveUpgradeEntries(t *testing.T) {
	ups, rep := azurermGuides(t)
	mechanical := 0
	for _, u := range ups {
		if u.Mechanical {
			mechanical++
		}
	}
	for _, g := range rep.Guides {
		t.Logf("%s: %d entries, %d not parsed", g.Guide, g.Entries, g.Unparsed)
	}
	t.Logf("%d entries, %d of them mechanical renames, %d sentences not parsed", len(ups), mechanical, len(rep.Unparsed))
	tests := []struct {
		guide, typ, path string
		kind             catalog.Kind
		change           catalog.UpgradeChange
		target           catalog.UpgradeTarget
		repl             []string
		mechanical       bool
		anchor, sentence string
	}{
		{"4.0-upgrade-guide", "azurerm_monitor_diagnostic_setting", "log", catalog.KindResource, catalog.UpgradeRenamed, catalog.UpgradeBlock,
			[]string{"enabled_log"}, true, "azurerm_monitor_diagnostic_setting", "The deprecated `log` block has been removed in favour of the `enabled_log` block."},
		{"4.0-upgrade-guide", "azurerm_kubernetes_cluster", "default_node_pool.enable_auto_scaling", catalog.KindResource, catalog.UpgradeRenamed, catalog.UpgradeArgument,
			[]string{"default_node_pool.auto_scaling_enabled"}, true, "azurerm_kubernetes_cluster", "The `default_node_pool.enable_auto_scaling` property has been renamed to `default_node_pool.auto_scaling_enabled`."},
		{"3.0-upgrade-guide", "azurerm_kubernetes_cluster", "addon_profile", catalog.KindDataSource, catalog.UpgradeReplaced, catalog.UpgradeBlock,
			[]string{"azure_policy_enabled", "http_application_routing_enabled", "open_service_mesh_enabled", "ingress_application_gateway", "key_vault_secrets_provider", "oms_agent"}, false,
			"data-source-azurerm_kubernetes_cluster", ""},
		{"3.0-upgrade-guide", "azurerm_kubernetes_cluster", "addon_profile.oms_agent", catalog.KindResource, catalog.UpgradeRenamed, catalog.UpgradeBlock,
			[]string{"oms_agent"}, false, "resource-azurerm_kubernetes_cluster", "The deprecated block `addon_profile.oms_agent` will be removed in favour of the `oms_agent` block."},
		{"3.0-upgrade-guide", "azurerm_kubernetes_cluster", "identity.user_assigned_identity_ids", catalog.KindResource, catalog.UpgradeRenamed, catalog.UpgradeArgument,
			[]string{"identity.identity_ids"}, true, "resource-azurerm_kubernetes_cluster", ""},
		{"5.0-upgrade-guide", "azurerm_postgresql_server", "", catalog.KindResource, catalog.UpgradeRemoved, catalog.UpgradeResource,
			nil, false, "azurerm_postgresql_server", "This deprecated resource has been retired and has been removed from the provider."},
		{"5.0-upgrade-guide", "azurerm_app_service", "", catalog.KindResource, catalog.UpgradeReplaced, catalog.UpgradeResource,
			[]string{"azurerm_linux_web_app", "azurerm_windows_web_app"}, false, "azurerm_app_service", ""},
		{"5.0-upgrade-guide", "azurerm_app_service_plan", "", catalog.KindDataSource, catalog.UpgradeRenamed, catalog.UpgradeDataSource,
			[]string{"azurerm_service_plan"}, true, "azurerm_app_service_plan", ""},
		// "In favour of" joins names whose values differ: never a mechanical rename.
		{"3.0-upgrade-guide", "azurerm_data_factory_pipeline", "data_factory_name", catalog.KindResource, catalog.UpgradeRenamed, catalog.UpgradeArgument,
			[]string{"data_factory_id"}, false, "resource-azurerm_data_factory_pipeline", ""},
		{"5.0-upgrade-guide", "azurerm_application_insights", "disable_ip_masking", catalog.KindResource, catalog.UpgradeRenamed, catalog.UpgradeArgument,
			[]string{"ip_masking_enabled"}, false, "azurerm_application_insights", ""},
		// A rename from a list to one value is not mechanical either.
		{"3.0-upgrade-guide", "azurerm_managed_disk", "zones", catalog.KindResource, catalog.UpgradeRenamed, catalog.UpgradeArgument,
			[]string{"zone"}, false, "resource-azurerm_managed_disk", ""},
		{"4.0-upgrade-guide", "azurerm_kubernetes_cluster", "api_server_authorized_ip_ranges", catalog.KindResource, catalog.UpgradeRenamed, catalog.UpgradeArgument,
			[]string{"api_server_access_profile.authorized_ip_ranges"}, false, "azurerm_kubernetes_cluster", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"."+tt.path, func(t *testing.T) {
			u := findUpgrade(ups, tt.guide, tt.kind, tt.typ, tt.path)
			if u == nil {
				t.Fatalf("no %s entry for %s %s %q", tt.guide, tt.kind, tt.typ, tt.path)
			}
			if u.Change != tt.change || u.Target != tt.target || !slices.Equal(u.Replacements, tt.repl) || u.Mechanical != tt.mechanical || u.Anchor != tt.anchor {
				t.Errorf("got %s %s %v mechanical=%v #%s, want %s %s %v mechanical=%v #%s",
					u.Change, u.Target, u.Replacements, u.Mechanical, u.Anchor, tt.change, tt.target, tt.repl, tt.mechanical, tt.anchor)
			}
			if tt.sentence != "" && u.Sentence != tt.sentence {
				t.Errorf("sentence %q, want %q", u.Sentence, tt.sentence)
			}
		})
	}
	if rep.Entries() != len(ups) || len(ups) < 900 {
		t.Errorf("%d entries reported, %d returned; the guides hold over 900", rep.Entries(), len(ups))
	}
	// A sentence that reads like an entry but names no type is listed, never guessed.
	var zone *crawler.UnparsedSentence
	for i, u := range rep.Unparsed {
		if strings.Contains(u.Sentence, "allow_blob_public_access") {
			zone = &rep.Unparsed[i]
		}
	}
	if zone == nil || zone.Guide != "3.0-upgrade-guide" || zone.Why == "" {
		t.Errorf("the storage rename without a type is not reported as unparsed: %+v", zone)
	}
	for _, u := range ups {
		if u.Sentence == zone.Sentence {
			t.Errorf("an entry was guessed from a sentence that names no type: %+v", u)
		}
	}
}

// TestGuidesUnparsedSentences: a synthetic guide, each sentence either an entry or listed.
func TestGuidesUnparsedSentences(t *testing.T) {
	md := "---\npage_title: x\n---\n\n# Guide\n\n## Removed Resources\n\n### `acme_old`\n\n" +
		"This deprecated resource has been superseded by `acme_new` and has been removed from the provider.\n\n" +
		"## Breaking Changes in Resources\n\n### `acme_thing`\n\n" +
		"* The `size` property has been renamed to `size_gb`.\n" +
		"* The `mode` property has been removed.\n" +
		"* Something about `Odd Value` was removed.\n\n" +
		"```hcl\nresource \"acme_old\" \"x\" {} # removed in favour of nothing\n```\n\n" +
		"## Elsewhere\n\nThe `flag` property has been removed from various resources.\n"
	ups, rep := crawler.ParseGuides("acme", []crawler.Page{{Slug: "9.0-upgrade-guide", Markdown: md}}, nil)
	var got []string
	for _, u := range ups {
		got = append(got, string(u.Change)+" "+u.Name()+" "+strings.Join(u.Replacements, ","))
	}
	want := []string{"renamed acme_old acme_new", "renamed acme_thing.size size_gb", "removed acme_thing.mode "}
	if !slices.Equal(got, want) {
		t.Errorf("entries %q, want %q", got, want)
	}
	if len(rep.Unparsed) != 2 || rep.Guides[0].Unparsed != 2 || rep.Guides[0].Entries != 3 {
		t.Errorf("unparsed %+v, counts %+v; want the odd value and the type-less sentence", rep.Unparsed, rep.Guides)
	}
}

// TestRegistryGuides fetches the guides through the registry's API shapes.
func TestRegistryGuides(t *testing.T) {
	data := sharedData(t)
	srv := registrytest.NewServer(t, data, catalogVersions)
	reg := crawler.NewRegistry(crawler.RegistryOptions{BaseURL: srv.URL()})
	pages, errs, err := reg.Guides(context.Background(), "hashicorp", "azurerm", catalogVersions["azurerm"])
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	var slugs []string
	for _, p := range pages {
		slugs = append(slugs, p.Slug)
	}
	if !slices.Contains(slugs, "4.0-upgrade-guide") || !slices.Contains(slugs, "migrating-from-deprecated-resources") {
		t.Errorf("guides %v lack the upgrade guides", slugs)
	}
	dir, err := crawler.ReadGuidesDir(filepath.Join(data, "azurerm", "docs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dir) != len(pages) {
		t.Errorf("the registry gave %d guides, the docs directory %d", len(pages), len(dir))
	}
}

// TestGuideReportLists: the report counts entries per guide and lists each unparsed
// sentence with its guide, section and why.
func TestGuideReportLists(t *testing.T) {
	_, rep := azurermGuides(t)
	var b strings.Builder
	if err := rep.WriteReport(&b, "registry.terraform.io/hashicorp/azurerm"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, g := range rep.Guides {
		if !strings.Contains(out, fmt.Sprintf("%s: %d entries, %d not parsed\n", g.Guide, g.Entries, g.Unparsed)) {
			t.Errorf("the report lacks the count of %s", g.Guide)
		}
	}
	for _, u := range rep.Unparsed {
		if !strings.Contains(out, u.Guide+" § "+u.Section+": "+u.Sentence) {
			t.Errorf("the report lacks %q", u.Sentence)
		}
	}
	if !strings.HasPrefix(out, fmt.Sprintf("\n# registry.terraform.io/hashicorp/azurerm guides: %d upgrade entries, %d sentences not parsed", rep.Entries(), len(rep.Unparsed))) {
		t.Errorf("report head:\n%s", out[:200])
	}
}
