package crawler

import (
	"cmp"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
)

// docsLayouts are the folders, under a docs directory, that hold resource and data source
// pages: a provider repository's legacy website/docs/r and d, the registry's
// docs/resources and data-sources, and either one with the directory itself as docs/.
var docsLayouts = []struct {
	dir  string
	kind catalog.Kind
}{
	{"r", catalog.KindResource},
	{"d", catalog.KindDataSource},
	{"resources", catalog.KindResource},
	{"data-sources", catalog.KindDataSource},
}

// docsExtensions are the page file names' endings, longest first.
var docsExtensions = []string{".html.markdown", ".html.md", ".markdown", ".md"}

// ReadDocsDir reads the doc pages of a provider's local docs directory: dir may be a
// provider repository (website/docs/r/*.html.markdown, docs/resources/*.md) or the docs
// folder itself (r/, d/, resources/, data-sources/). Guides, the index page and other
// folders are skipped. Pages come sorted by kind, then slug; Path is relative to dir.
func ReadDocsDir(dir string) ([]Page, error) {
	var pages []Page
	found := false
	for _, base := range []string{"website/docs", "docs", "."} {
		for _, l := range docsLayouts {
			more, ok, err := readDocFolder(dir, path.Join(base, l.dir), l.kind)
			if err != nil {
				return nil, fmt.Errorf("reading docs directory %s: %w", dir, err)
			}
			found = found || ok
			pages = append(pages, more...)
		}
		if found {
			break // the first layout found is the provider's; a second would be stale copies
		}
	}
	if !found {
		return nil, fmt.Errorf("reading docs directory %s: no r/, d/, resources/ or data-sources/ folder in it, its docs/ or its website/docs/", dir)
	}
	slices.SortFunc(pages, func(a, b Page) int {
		if a.Kind != b.Kind {
			if a.Kind == catalog.KindResource {
				return -1
			}
			return 1
		}
		return cmp.Or(strings.Compare(a.Slug, b.Slug), strings.Compare(a.Path, b.Path))
	})
	return pages, nil
}

// docSlug is a page file's name without its extensions: kubernetes_cluster.html.markdown →
// kubernetes_cluster.
func docSlug(name string) (string, bool) {
	if strings.HasPrefix(name, ".") {
		return "", false
	}
	for _, ext := range docsExtensions {
		if slug, ok := strings.CutSuffix(name, ext); ok && slug != "" && slug != "index" {
			return slug, true
		}
	}
	return "", false
}

// readDocFolder reads the doc pages of one folder of a docs directory, rel to dir, as pages
// of kind; ok is false when the folder does not exist.
func readDocFolder(dir, rel string, kind catalog.Kind) (pages []Page, ok bool, err error) {
	entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	for _, e := range entries {
		slug, ok := docSlug(e.Name())
		if !ok || e.IsDir() {
			continue
		}
		file := path.Join(rel, e.Name())
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(file)))
		if err != nil {
			return nil, false, err
		}
		pages = append(pages, Page{Kind: kind, Slug: slug, Path: file, Markdown: string(data)})
	}
	return pages, true, nil
}
