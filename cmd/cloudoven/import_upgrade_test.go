package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
)

const upgradeConfig = "../../upgrade/testdata/azurerm2x"

// TestImportUpgradeReport: an azurerm 2.x configuration imports, exit code 0, and the
// report names each held item with its replacement, whether it is mechanical and the
// guide's section.
func TestImportUpgradeReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bp.json")
	stdout, stderr, err := runCLI(t, "import", "-dir", upgradeConfig, "-name", "platform", "-upgrade-report", "-out", out)
	if err != nil {
		t.Fatalf("import failed: %v\n%s", err, stderr)
	}
	for _, want := range []string{
		"Upgrade report: 23 items held back from the blueprint, 7 mechanical",
		"main.tf:41  azurerm_kubernetes_cluster.aks.default_node_pool[0].enable_auto_scaling (argument)\n  default_node_pool.enable_auto_scaling → default_node_pool.auto_scaling_enabled\n  mechanical: applied by -apply-renames",
		"log → enabled_log",
		"azurerm_postgresql_server → no replacement named",
		"azurerm_app_service → azurerm_linux_web_app, azurerm_windows_web_app",
		"guide: 4.0-upgrade-guide § `azurerm_monitor_diagnostic_setting`: \"The deprecated `log` block has been removed in favour of the `enabled_log` block.\"",
		"https://registry.terraform.io/providers/hashicorp/azurerm/5.2.0/docs/guides/4.0-upgrade-guide#azurerm_monitor_diagnostic_setting",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blueprint.ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Resources) != 5 {
		t.Errorf("%d resources kept, want the 5 still valid", len(b.Resources))
	}
}

// TestImportHeldItemsAreWarnings: without -upgrade-report each held item is a warning, and
// the document is still written.
func TestImportHeldItemsAreWarnings(t *testing.T) {
	stdout, stderr, err := runCLI(t, "import", "-dir", upgradeConfig, "-name", "platform")
	if err != nil {
		t.Fatalf("import failed: %v\n%s", err, stderr)
	}
	if n := strings.Count(stderr, "held back for the provider upgrade"); n != 23 {
		t.Errorf("%d held warnings, want 23:\n%s", n, stderr)
	}
	if !strings.Contains(stdout, `"format": 1`) {
		t.Errorf("no document on standard output")
	}
}

// TestImportApplyRenames: the renames are applied before the import, the renamed files are
// written where asked (never over the configuration), and the report has no mechanical item.
func TestImportApplyRenames(t *testing.T) {
	renamed := filepath.Join(t.TempDir(), "renamed")
	stdout, stderr, err := runCLI(t, "import", "-dir", upgradeConfig, "-name", "platform", "-apply-renames", "-renamed-out", renamed, "-upgrade-report")
	if err != nil {
		t.Fatalf("import failed: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "applied 7 renames") || !strings.Contains(stdout, "Upgrade report: 16 items held back from the blueprint, 0 mechanical") {
		t.Errorf("stderr:\n%s\nstdout:\n%s", stderr, stdout)
	}
	data, err := os.ReadFile(filepath.Join(renamed, "main.tf"))
	if err != nil || !strings.Contains(string(data), "auto_scaling_enabled    = true # the cluster autoscaler") {
		t.Errorf("renamed main.tf: %v\n%s", err, data)
	}
	abs, _ := filepath.Abs(upgradeConfig)
	if _, _, err := runCLI(t, "import", "-dir", upgradeConfig, "-apply-renames", "-renamed-out", abs); err == nil {
		t.Error("-renamed-out over the configuration read was accepted")
	}
}
