package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestCrawlReadsGuides crawls azurerm from its local docs directory: the guides' upgrade
// entries land in the catalog, the summary counts them, and the coverage report lists the
// sentences that did not parse.
func TestCrawlReadsGuides(t *testing.T) {
	data := testenv.SharedData(t)
	dir := filepath.Join(t.TempDir(), "catalog")
	config := writeTemp(t, "crawl.json", `{"providers": [
	  {"source": "hashicorp/azurerm", "version": "5.2.0", "schema_file": "`+filepath.Join(data, "azurerm", "schema.json")+`",
	   "docs_dir": "`+filepath.Join(data, "azurerm", "docs")+`"}]}`)
	report := filepath.Join(t.TempDir(), "coverage.txt")
	stdout, stderr, err := runCLI(t, "crawl", "-catalog-dir", dir, "-crawl-config", config, "-force", "-coverage-report", report)
	if err != nil {
		t.Fatalf("crawl: %v\n%s\n%s", err, stdout, stderr)
	}
	cat, err := catalog.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	p := cat.Provider("hashicorp/azurerm")
	n := len(p.Docs.Upgrades)
	if n == 0 {
		t.Fatal("the crawled catalog has no upgrade entries")
	}
	if !strings.Contains(stdout, "registry.terraform.io/hashicorp/azurerm guides: ") || !strings.Contains(stdout, " upgrade entries from 7 guides") {
		t.Errorf("summary lacks the guides:\n%s", stdout)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "3.0-upgrade-guide: ") || !strings.Contains(string(b), "## not parsed: ") {
		t.Errorf("the coverage report lacks the guides:\n%s", b[max(0, len(b)-2000):])
	}
	if ups := p.UpgradesFor(catalog.KindResource, "azurerm_monitor_diagnostic_setting", "log"); len(ups) == 0 || ups[0].Replacements[0] != "enabled_log" {
		t.Errorf("log's entry: %+v", ups)
	}
}
