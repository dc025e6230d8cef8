package upgrade_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/upgrade"
)

// azurerm2x reads the azurerm 2.x configuration written from the guides' "before" examples.
func azurerm2x(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	matches, err := filepath.Glob("testdata/azurerm2x/*.tf")
	if err != nil || len(matches) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(m)] = b
	}
	return files
}

func byName(r upgrade.Report) map[string]upgrade.Item {
	out := map[string]upgrade.Item{}
	for _, it := range r.Items {
		out[it.Name()] = it
	}
	return out
}

func resourceAddrs(b *blueprint.Blueprint) []string {
	var out []string
	for _, r := range b.Resources {
		out = append(out, r.Address())
	}
	return out
}

// TestImportHoldsWhatTheCatalogNoLongerHas: the 2.x configuration, which blueprint.Import
// and Validate refuse, imports with what is still valid and each removed or renamed part held
// with the guide's replacement and section.
func TestImportHoldsWhatTheCatalogNoLongerHas(t *testing.T) {
	cat := testenv.Catalog(t)
	files := azurerm2x(t)

	before, diags := blueprint.Import(files)
	errs := diags.Errors()
	if !errs.HasErrors() {
		errs = blueprint.Validate(before, cat).Errors()
	}
	if !errs.HasErrors() {
		t.Fatal("today's import accepts the 2.x configuration: the test lost its point")
	}

	b, rep, diags := upgrade.Import(files, cat)
	if diags.HasErrors() {
		t.Fatalf("upgrade import refused: %v", diags)
	}
	if v := blueprint.Validate(b, cat); v.HasErrors() {
		t.Fatalf("what was kept does not validate: %v", v.Errors())
	}
	t.Logf("before: %d errors; after: %d held items, %d mechanical, %d with a replacement",
		len(errs), len(rep.Items), rep.Mechanical(), rep.WithReplacement())

	wantKept := []string{"azurerm_resource_group.main", "azurerm_log_analytics_workspace.main", "azurerm_storage_account.state", "azurerm_container_registry.acr", "azurerm_network_interface.jump"}
	if diff := cmp.Diff(wantKept, resourceAddrs(b)); diff != "" {
		t.Errorf("kept resources (-want +got):\n%s", diff)
	}

	items := byName(rep)
	tests := []struct {
		name       string
		what       upgrade.What
		repl       []string
		mechanical bool
		section    string
		line       int
	}{
		{"azurerm_kubernetes_cluster.aks.default_node_pool[0].enable_auto_scaling", upgrade.WhatArgument, []string{"default_node_pool.auto_scaling_enabled"}, true, "4.0-upgrade-guide § `azurerm_kubernetes_cluster`", 41},
		{"azurerm_kubernetes_cluster.aks.default_node_pool[0].availability_zones", upgrade.WhatArgument, []string{"default_node_pool.zones"}, false, "3.0-upgrade-guide § Resource: `azurerm_kubernetes_cluster`", 44},
		{"azurerm_kubernetes_cluster.aks.automatic_channel_upgrade", upgrade.WhatArgument, []string{"automatic_upgrade_channel"}, true, "4.0-upgrade-guide § `azurerm_kubernetes_cluster`", 36},
		{"azurerm_kubernetes_cluster.aks.api_server_authorized_ip_ranges", upgrade.WhatArgument, []string{"api_server_access_profile.authorized_ip_ranges"}, false, "4.0-upgrade-guide § `azurerm_kubernetes_cluster`", 35},
		{"azurerm_kubernetes_cluster.aks.addon_profile[0]", upgrade.WhatBlock, []string{"oms_agent", "azure_policy_enabled"}, false, "3.0-upgrade-guide § Resource: `azurerm_kubernetes_cluster`", 52},
		{"azurerm_kubernetes_cluster.aks.role_based_access_control[0]", upgrade.WhatBlock, []string{"role_based_access_control_enabled", "azure_active_directory_role_based_access_control"}, false, "3.0-upgrade-guide § Resource: `azurerm_kubernetes_cluster`", 65},
		{"azurerm_kubernetes_cluster.aks.network_profile[0].docker_bridge_cidr", upgrade.WhatArgument, nil, false, "4.0-upgrade-guide § `azurerm_kubernetes_cluster`", 71},
		{"azurerm_kubernetes_cluster.aks", upgrade.WhatRequired, nil, false, "", 30},
		{"azurerm_monitor_diagnostic_setting.aks.log[0]", upgrade.WhatBlock, []string{"enabled_log"}, true, "4.0-upgrade-guide § `azurerm_monitor_diagnostic_setting`", 80},
		{"azurerm_monitor_diagnostic_setting.aks.metric[0]", upgrade.WhatBlock, []string{"enabled_metric"}, true, "5.0-upgrade-guide § `azurerm_monitor_diagnostic_setting`", 84},
		{"azurerm_postgresql_server.db", upgrade.WhatResource, nil, false, "5.0-upgrade-guide § `azurerm_postgresql_server`", 89},
		{"azurerm_postgresql_database.app", upgrade.WhatResource, nil, false, "5.0-upgrade-guide § `azurerm_postgresql_database`", 104},
		{"azurerm_app_service_plan.web", upgrade.WhatResource, []string{"azurerm_service_plan"}, false, "5.0-upgrade-guide § `azurerm_app_service_plan`", 112},
		{"azurerm_app_service.web", upgrade.WhatResource, []string{"azurerm_linux_web_app", "azurerm_windows_web_app"}, false, "5.0-upgrade-guide § `azurerm_app_service`", 125},
		{"azurerm_storage_account.state.allow_blob_public_access", upgrade.WhatArgument, []string{"allow_nested_items_to_be_public"}, false, "3.0-upgrade-guide § Resource: `azurerm_storage_account`", 144},
		{"azurerm_container_registry.acr.georeplication_locations", upgrade.WhatArgument, []string{"georeplications"}, false, "3.0-upgrade-guide § Resource: `azurerm_container_registry`", 153},
		{"azurerm_network_interface.jump.enable_accelerated_networking", upgrade.WhatArgument, []string{"accelerated_networking_enabled"}, true, "4.0-upgrade-guide § `azurerm_network_interface`", 160},
		{"azurerm_network_interface.jump.enable_ip_forwarding", upgrade.WhatArgument, []string{"ip_forwarding_enabled"}, true, "4.0-upgrade-guide § `azurerm_network_interface`", 161},
		{"output.web_hostname", upgrade.WhatReference, nil, false, "", 180},
		{"output.kube_config", upgrade.WhatReference, nil, false, "", 175},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it, ok := items[tt.name]
			if !ok {
				t.Fatalf("not held; held: %v", names(rep))
			}
			if it.What != tt.what || !cmp.Equal(it.Replacements, tt.repl) || it.Mechanical != tt.mechanical || it.Section() != tt.section || it.Line != tt.line || it.File != "main.tf" {
				t.Errorf("got %s %v mechanical=%v %q at %s:%d; want %s %v mechanical=%v %q at line %d",
					it.What, it.Replacements, it.Mechanical, it.Section(), it.File, it.Line, tt.what, tt.repl, tt.mechanical, tt.section, tt.line)
			}
			if !it.Mechanical && it.NotMechanical == "" && it.Upgrade != nil {
				t.Error("a non-mechanical item does not say why")
			}
			if it.HCL == "" || !strings.Contains(string(azurerm2x(t)["main.tf"]), it.HCL) {
				t.Errorf("the held text %q is not the configuration's", it.HCL)
			}
			if it.Upgrade != nil && (it.Upgrade.Sentence == "" || it.GuideURL(cat.Provider("hashicorp/azurerm")) == "") {
				t.Errorf("no sentence or link: %+v", it.Upgrade)
			}
		})
	}
	// The guides only call Single Server retired; the report suggests Azure's successor,
	// labelled as CloudOven's suggestion, and never as a rename.
	for name, want := range map[string]string{
		"azurerm_postgresql_server.db":    "azurerm_postgresql_flexible_server",
		"azurerm_postgresql_database.app": "azurerm_postgresql_flexible_server_database",
	} {
		it := items[name]
		if it.Suggested != want || !strings.Contains(it.SuggestedWhy, "not the guide's") || it.Mechanical {
			t.Errorf("%s: suggested %q (%q), mechanical=%v; want %s, labelled as not the guide's", name, it.Suggested, it.SuggestedWhy, it.Mechanical, want)
		}
	}
	if it := items["azurerm_app_service.web"]; it.Suggested != "" {
		t.Errorf("a type the guide names replacements for also got a suggestion: %q", it.Suggested)
	}
	// The AKS block's renames are listed with it, as the guide names them.
	if it := items["azurerm_kubernetes_cluster.aks.addon_profile[0]"]; len(it.Related) == 0 || it.Related[0].Path != "addon_profile.oms_agent" {
		t.Errorf("addon_profile's related entries: %+v", it.Related)
	}
}

func names(r upgrade.Report) []string {
	var out []string
	for _, it := range r.Items {
		out = append(out, it.Name())
	}
	return out
}

// TestApplyRenamesThenImport: the mechanical renames are rewritten in place, keeping values
// and comments, and importing the result holds only the rest.
func TestApplyRenamesThenImport(t *testing.T) {
	cat := testenv.Catalog(t)
	files := azurerm2x(t)
	_, before, _ := upgrade.Import(files, cat)

	renamed, applied, err := upgrade.ApplyRenames(files, cat)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != before.Mechanical() || len(applied) == 0 {
		t.Fatalf("applied %d renames, the report has %d mechanical items", len(applied), before.Mechanical())
	}
	src := string(renamed["main.tf"])
	for _, want := range []string{"auto_scaling_enabled    = true # the cluster autoscaler", "enabled_log {", "enabled_metric {",
		"accelerated_networking_enabled = true # needs a VM size that supports it", "automatic_upgrade_channel       = \"stable\""} {
		if !strings.Contains(src, want) {
			t.Errorf("renamed main.tf lacks %q", want)
		}
	}
	if !strings.Contains(src, "# An AKS platform as written for azurerm 2.x") {
		t.Error("a comment was lost")
	}

	b, after, diags := upgrade.Import(renamed, cat)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if after.Mechanical() != 0 || len(after.Items) != len(before.Items)-len(applied) {
		t.Errorf("after the renames: %d items, %d mechanical; before %d items, %d applied", len(after.Items), after.Mechanical(), len(before.Items), len(applied))
	}
	t.Logf("after applying %d renames: %d held items remain", len(applied), len(after.Items))
	var nic *blueprint.Resource
	for i, r := range b.Resources {
		if r.Address() == "azurerm_network_interface.jump" {
			nic = &b.Resources[i]
		}
	}
	if nic == nil {
		t.Fatal("the network interface is not kept")
	}
	if v := nic.Config.Attribute("ip_forwarding_enabled"); v == nil || !v.Literal.RawEquals(cty.False) {
		t.Errorf("ip_forwarding_enabled is %+v, want the literal false", v)
	}
	// Renames inside a resource still held (AKS misses node_provisioning_profile) are
	// applied to its text too.
	if aks := byName(after)["azurerm_kubernetes_cluster.aks"]; !strings.Contains(aks.HCL, "auto_scaling_enabled") {
		t.Errorf("the held AKS text lacks its rename:\n%s", aks.HCL)
	}

	again, more, err := upgrade.ApplyRenames(renamed, cat)
	if err != nil || len(more) != 0 || !bytes.Equal(again["main.tf"], renamed["main.tf"]) {
		t.Errorf("a second ApplyRenames changed something: %d applied, %v", len(more), err)
	}
}

// TestTypeRenameRewritesReferences: a renamed type is rewritten in its labels and in every
// reference, and nothing else of that name.
func TestTypeRenameRewritesReferences(t *testing.T) {
	cat := testenv.Catalog(t)
	src := `resource "azurerm_dashboard" "board" {
  name                 = "board"
  resource_group_name  = "rg"
  location             = "westeurope"
  dashboard_properties = "{}"
}

output "board_id" {
  value = azurerm_dashboard.board.id
}

output "other" {
  value = { azurerm_dashboard = "kept" }
}
`
	files := map[string][]byte{"main.tf": []byte(src)}
	_, rep, diags := upgrade.Import(files, cat)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	it := byName(rep)["azurerm_dashboard.board"]
	if !it.Mechanical || !cmp.Equal(it.Replacements, []string{"azurerm_portal_dashboard"}) {
		t.Fatalf("dashboard item %+v", it)
	}
	if _, ok := byName(rep)["output.board_id"]; !ok {
		t.Error("the output that refers to the held dashboard is not held")
	}
	renamed, applied, err := upgrade.ApplyRenames(files, cat)
	if err != nil || len(applied) != 1 {
		t.Fatalf("applied %d, %v", len(applied), err)
	}
	got := string(renamed["main.tf"])
	for _, want := range []string{`resource "azurerm_portal_dashboard" "board"`, "value = azurerm_portal_dashboard.board.id", `azurerm_dashboard = "kept"`} {
		if !strings.Contains(got, want) {
			t.Errorf("renamed text lacks %q:\n%s", want, got)
		}
	}
	b, rep, diags := upgrade.Import(renamed, cat)
	if diags.HasErrors() || len(rep.Items) != 0 || len(b.Resources) != 1 || len(b.Outputs) != 2 {
		t.Errorf("after the rename: %v, %d items, %d resources, %d outputs", diags, len(rep.Items), len(b.Resources), len(b.Outputs))
	}
}

// TestCurrentConfigurationImportsAsBefore: nothing to hold, nothing changes; and what
// blueprint.Import refuses is still refused.
func TestCurrentConfigurationImportsAsBefore(t *testing.T) {
	cat := testenv.Catalog(t)
	tests := map[string]string{
		"current": "resource \"azurerm_resource_group\" \"rg\" {\n  name     = \"rg\"\n  location = \"westeurope\"\n}\n",
		"syntax":  "resource \"azurerm_resource_group\" \"rg\" {\n  name = \n}\n",
		"deep":    "locals {\n  x = " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n}\n",
		"foreign": "resource \"acme_thing\" \"x\" {\n  size = 1\n}\n",
		// A name no guide mentions, in a configuration not pinned to an older version, is a
		// typo: validation's, with its did-you-mean.
		"typo": "resource \"azurerm_resource_group\" \"rg\" {\n  name    = \"rg\"\n  locaton = \"westeurope\"\n}\n",
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			files := map[string][]byte{"main.tf": []byte(src)}
			want, wantDiags := blueprint.Import(files)
			if want != nil && !wantDiags.HasErrors() {
				wantDiags = append(wantDiags, blueprint.Complete(want, cat)...)
			}
			got, rep, gotDiags := upgrade.Import(files, cat)
			if len(rep.Items) != 0 {
				t.Errorf("held %v", names(rep))
			}
			if diff := cmp.Diff(wantDiags, gotDiags); diff != "" {
				t.Errorf("diagnostics differ (-blueprint.Import and Complete +upgrade.Import):\n%s", diff)
			}
			if (want == nil) != (got == nil) {
				t.Fatalf("blueprint %v, want %v", got, want)
			}
			if want != nil {
				wantDoc, _ := want.MarshalDocument()
				gotDoc, _ := got.MarshalDocument()
				if !bytes.Equal(wantDoc, gotDoc) {
					t.Errorf("blueprints differ:\n%s\n%s", wantDoc, gotDoc)
				}
			}
		})
	}
}

// TestReportRoundTrips: the stored form reads back whole, and a foreign format is refused.
func TestReportRoundTrips(t *testing.T) {
	cat := testenv.Catalog(t)
	_, rep, _ := upgrade.Import(azurerm2x(t), cat)
	data, err := rep.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := upgrade.ParseReport(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rep, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if _, err := upgrade.ParseReport([]byte(`{"format": 2}`)); err == nil {
		t.Error("format 2 was read")
	}
	var buf bytes.Buffer
	if err := upgrade.WriteReport(&buf, rep, cat); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "enable_auto_scaling → default_node_pool.auto_scaling_enabled") {
		t.Errorf("the printed report lacks the rename:\n%s", buf.String())
	}
}

// TestOlderPinnedConfigurationHoldsUnknownNames: pinned to a version the catalog's does not
// meet, a name the schema lacks is held even when no guide mentions it.
func TestOlderPinnedConfigurationHoldsUnknownNames(t *testing.T) {
	cat := testenv.Catalog(t)
	src := `terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 2.0"
    }
  }
}

resource "azurerm_resource_group" "rg" {
  name          = "rg"
  location      = "westeurope"
  legacy_option = true
}
`
	_, rep, diags := upgrade.Import(map[string][]byte{"main.tf": []byte(src)}, cat)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	it, ok := byName(rep)["azurerm_resource_group.rg.legacy_option"]
	if !ok || it.Upgrade != nil || it.Mechanical || it.Line != 13 {
		t.Errorf("held %+v", rep.Items)
	}
	current := strings.Replace(src, "~> 2.0", "~> 5.0", 1)
	if _, rep, _ := upgrade.Import(map[string][]byte{"main.tf": []byte(current)}, cat); len(rep.Items) != 0 {
		t.Errorf("a current configuration's unknown name was held: %v", names(rep))
	}
}

// TestDataSourceRenameRewritesReferences: a renamed data source is rewritten in its labels
// and in data.TYPE.NAME references, not in a resource of the same name.
func TestDataSourceRenameRewritesReferences(t *testing.T) {
	cat := testenv.Catalog(t)
	src := `data "azurerm_app_service_plan" "plan" {
  name                = "plan"
  resource_group_name = "rg"
}

output "plan_id" {
  value = data.azurerm_app_service_plan.plan.id
}
`
	files := map[string][]byte{"main.tf": []byte(src)}
	renamed, applied, err := upgrade.ApplyRenames(files, cat)
	if err != nil || len(applied) != 1 {
		t.Fatalf("applied %d, %v", len(applied), err)
	}
	got := string(renamed["main.tf"])
	for _, want := range []string{`data "azurerm_service_plan" "plan"`, "value = data.azurerm_service_plan.plan.id"} {
		if !strings.Contains(got, want) {
			t.Errorf("renamed text lacks %q:\n%s", want, got)
		}
	}
	b, rep, diags := upgrade.Import(renamed, cat)
	if diags.HasErrors() || len(rep.Items) != 0 || len(b.Data) != 1 {
		t.Errorf("after the rename: %v, %v held, %d data sources", diags, names(rep), len(b.Data))
	}
}
