package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler/registrytest"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestCrawlCommand runs `cloudoven crawl` against a local registry serving the real docs of
// ../shared/data: it prints the per-provider table, writes the coverage report, and leaves
// a catalog that loads with the docs attached.
func TestCrawlCommand(t *testing.T) {
	data := testenv.SharedData(t)
	srv := registrytest.NewServer(t, data, map[string]string{"random": "3.9.0", "helm": "3.1.2"})
	dir := filepath.Join(t.TempDir(), "catalog")
	config := writeTemp(t, "crawl.json", `{"providers": [
	  {"source": "hashicorp/random", "schema_file": "`+filepath.Join(data, "random", "schema.json")+`"},
	  {"source": "hashicorp/helm", "version": "3.1.2", "schema_file": "`+filepath.Join(data, "helm", "schema.json")+`"}]}`)
	report := filepath.Join(t.TempDir(), "coverage.txt")
	stdout, stderr, err := runCLI(t, "crawl", "-catalog-dir", dir, "-crawl-config", config, "-registry", srv.URL(),
		"-force", "-coverage-report", report)
	if err != nil {
		t.Fatalf("crawl: %v\n%s\n%s", err, stdout, stderr)
	}
	for _, want := range []string{"registry.terraform.io/hashicorp/random", "3.9.0", "crawled", "100.0%", "registry.terraform.io/hashicorp/helm"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	// The progress bar counted random's ten doc pages to the end.
	if !strings.Contains(stderr, "(10/10") {
		t.Errorf("no finished progress bar for random's 10 pages in:\n%s", stderr)
	}
	if b, err := os.ReadFile(report); err != nil || len(b) == 0 {
		t.Errorf("coverage report: %v (%d bytes)", err, len(b))
	}
	cat, err := catalog.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	pw := cat.Resource("random_password")
	if pw == nil || pw.Doc == nil || pw.Doc.Arguments["length"] == "" {
		t.Errorf("random_password has no doc for length: %+v", pw)
	}
	if cat.Resource("azurerm_kubernetes_cluster") == nil {
		t.Error("the seeded built-in providers are gone")
	}
}

func TestCrawlCommandRefusesABadConfig(t *testing.T) {
	config := writeTemp(t, "crawl.json", `{"providers": [{"sauce": "hashicorp/random"}]}`)
	_, _, err := runCLI(t, "crawl", "-catalog-dir", t.TempDir(), "-crawl-config", config)
	if err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("want a clear config error, got %v", err)
	}
}
