package crawler_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
)

// writeTree makes files (slash paths → contents) under a new temp directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadDocsDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []crawler.Page
	}{
		{
			name: "provider repository, legacy website/docs layout",
			files: map[string]string{
				"website/docs/r/virtual_network.html.markdown": "vnet",
				"website/docs/r/dns_zone.html.markdown":        "zone",
				"website/docs/d/client_config.html.markdown":   "client",
				"website/docs/index.html.markdown":             "index",
				"website/docs/guides/features-block.html.md":   "guide",
				"website/docs/r/.hidden.html.markdown":         "hidden",
				"website/docs/r/notes.txt":                     "not a page",
				"website/docs/r/subdir/x.html.markdown":        "nested",
			},
			want: []crawler.Page{
				{Kind: catalog.KindResource, Slug: "dns_zone", Path: "website/docs/r/dns_zone.html.markdown", Markdown: "zone"},
				{Kind: catalog.KindResource, Slug: "virtual_network", Path: "website/docs/r/virtual_network.html.markdown", Markdown: "vnet"},
				{Kind: catalog.KindDataSource, Slug: "client_config", Path: "website/docs/d/client_config.html.markdown", Markdown: "client"},
			},
		},
		{
			name: "docs folder itself, legacy layout",
			files: map[string]string{
				"r/kubernetes_cluster.html.markdown": "aks",
				"d/kubernetes_cluster.html.markdown": "aks data",
				"index.html.markdown":                "index",
			},
			want: []crawler.Page{
				{Kind: catalog.KindResource, Slug: "kubernetes_cluster", Path: "r/kubernetes_cluster.html.markdown", Markdown: "aks"},
				{Kind: catalog.KindDataSource, Slug: "kubernetes_cluster", Path: "d/kubernetes_cluster.html.markdown", Markdown: "aks data"},
			},
		},
		{
			name: "provider repository, registry docs/ layout",
			files: map[string]string{
				"docs/resources/release.md":     "release",
				"docs/data-sources/template.md": "template",
				"docs/index.md":                 "index",
				"docs/guides/v3-upgrade.md":     "guide",
				"README.md":                     "readme",
			},
			want: []crawler.Page{
				{Kind: catalog.KindResource, Slug: "release", Path: "docs/resources/release.md", Markdown: "release"},
				{Kind: catalog.KindDataSource, Slug: "template", Path: "docs/data-sources/template.md", Markdown: "template"},
			},
		},
		{
			name: "docs folder itself, registry layout, resources only",
			files: map[string]string{
				"resources/uuid.md":    "uuid",
				"resources/integer.md": "integer",
			},
			want: []crawler.Page{
				{Kind: catalog.KindResource, Slug: "integer", Path: "resources/integer.md", Markdown: "integer"},
				{Kind: catalog.KindResource, Slug: "uuid", Path: "resources/uuid.md", Markdown: "uuid"},
			},
		},
		{
			name: "website/docs wins over a stale docs/",
			files: map[string]string{
				"website/docs/r/a.html.markdown": "new",
				"docs/resources/a.md":            "old",
			},
			want: []crawler.Page{
				{Kind: catalog.KindResource, Slug: "a", Path: "website/docs/r/a.html.markdown", Markdown: "new"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := crawler.ReadDocsDir(writeTree(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadDocsDir (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadDocsDirWithoutPagesFails(t *testing.T) {
	t.Parallel()
	for name, dir := range map[string]string{
		"missing directory":  filepath.Join(t.TempDir(), "nope"),
		"no docs folders in": writeTree(t, map[string]string{"guides/a.md": "guide", "index.md": "index"}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if pages, err := crawler.ReadDocsDir(dir); err == nil {
				t.Errorf("ReadDocsDir = %d pages, want an error", len(pages))
			}
		})
	}
}

// TestReadDocsDirShared reads the real docs directories: every page of ../shared/data.
func TestReadDocsDirShared(t *testing.T) {
	t.Parallel()
	data := providerData(t)
	want := map[string][2]int{"azurerm": {1103, 395}, "azuread": {54, 20}, "kubernetes": {83, 27}, "helm": {1, 1}, "random": {10, 0}}
	for name, counts := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pages, err := crawler.ReadDocsDir(filepath.Join(data, name, "docs"))
			if err != nil {
				t.Fatal(err)
			}
			var got [2]int
			for _, p := range pages {
				if p.Kind == catalog.KindDataSource {
					got[1]++
				} else {
					got[0]++
				}
				if p.Markdown == "" || p.Slug == "" {
					t.Errorf("%s: empty page or slug", p.Path)
				}
			}
			if got != counts {
				t.Errorf("%d resource and %d data source pages, want %d and %d", got[0], got[1], counts[0], counts[1])
			}
		})
	}
}

// BenchmarkReadAzurermDocs reads azurerm's docs directory: compare with
// BenchmarkParseAzurermDocs.
func BenchmarkReadAzurermDocs(b *testing.B) {
	dir := filepath.Join(providerData(b), "azurerm", "docs")
	b.ReportAllocs()
	for b.Loop() {
		pages, err := crawler.ReadDocsDir(dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(pages) == 0 {
			b.Fatal("no pages")
		}
	}
}
