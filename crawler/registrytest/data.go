package registrytest

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Categories are the doc categories the registry knows; any other answers 400.
var Categories = []string{"resources", "data-sources", "ephemeral-resources", "functions", "guides", "overview", "actions", "list-resources"}

// dirCategory maps a docs subdirectory to its category: the legacy website/docs layout
// (r/, d/) and the tfplugindocs layout (resources/, data-sources/, ...).
var dirCategory = map[string]string{
	"r": "resources", "d": "data-sources",
	"resources": "resources", "data-sources": "data-sources", "ephemeral-resources": "ephemeral-resources",
	"functions": "functions", "guides": "guides", "actions": "actions", "list-resources": "list-resources",
}

// docExtensions are the page file suffixes, longest first, so the slug loses all of it.
var docExtensions = []string{".html.markdown", ".html.md", ".markdown", ".md"}

// docFile is one page on disk.
type docFile struct {
	category    string
	slug        string
	subcategory string
	path        string // as the registry reports it: website/docs/r/x.html.markdown or docs/resources/x.md
	content     string
}

type loaded struct {
	once sync.Once
	docs []docFile
	err  error
}

// cache holds each docs directory read once per process: many tests start servers over the
// same read-only data, and azurerm alone is 11 MB.
var cache sync.Map // docs dir → *loaded

func loadDocs(dir string) ([]docFile, error) {
	v, _ := cache.LoadOrStore(dir, &loaded{})
	l := v.(*loaded)
	l.once.Do(func() { l.docs, l.err = readDocs(dir) })
	return l.docs, l.err
}

func readDocs(dir string) ([]docFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	legacy := false
	for _, e := range entries {
		if e.IsDir() && (e.Name() == "r" || e.Name() == "d") {
			legacy = true
		}
	}
	prefix := "docs/"
	if legacy {
		prefix = "website/docs/"
	}
	var out []docFile
	add := func(category, rel string) error {
		slug, ok := trimExtension(filepath.Base(rel))
		if !ok {
			return nil
		}
		if category == "overview" {
			slug = "index"
		}
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			return err
		}
		out = append(out, docFile{
			category:    category,
			slug:        slug,
			subcategory: frontMatter(string(b), "subcategory"),
			path:        prefix + filepath.ToSlash(rel),
			content:     string(b),
		})
		return nil
	}
	for _, e := range entries {
		if !e.IsDir() {
			if slug, ok := trimExtension(e.Name()); ok && slug == "index" {
				if err := add("overview", e.Name()); err != nil {
					return nil, err
				}
			}
			continue
		}
		category, ok := dirCategory[e.Name()]
		if !ok {
			continue
		}
		err := filepath.WalkDir(filepath.Join(dir, e.Name()), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			return add(category, rel)
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b docFile) int {
		if c := strings.Compare(categoryRank(a.category), categoryRank(b.category)); c != 0 {
			return c
		}
		return strings.Compare(a.slug, b.slug)
	})
	for i := 1; i < len(out); i++ {
		if out[i].category == out[i-1].category && out[i].slug == out[i-1].slug {
			return nil, fmt.Errorf("%s: two %s pages with slug %q (%s, %s)", dir, out[i].category, out[i].slug, out[i-1].path, out[i].path)
		}
	}
	return out, nil
}

func categoryRank(c string) string {
	return fmt.Sprintf("%02d", slices.Index(Categories, c))
}

func trimExtension(name string) (string, bool) {
	for _, ext := range docExtensions {
		if s, ok := strings.CutSuffix(name, ext); ok && s != "" {
			return s, true
		}
	}
	return "", false
}

// frontMatter returns a top-level scalar of a page's YAML front matter, unquoted; "" when
// the page has no front matter or no such key. Real pages quote with either quote style.
func frontMatter(content, key string) string {
	content = strings.TrimPrefix(content, "\ufeff")
	sc := bufio.NewScanner(strings.NewReader(content))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	if !sc.Scan() || strings.TrimSpace(sc.Text()) != "---" {
		return ""
	}
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "---" {
			return ""
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok || k != key {
			continue
		}
		v = strings.TrimSpace(v)
		switch {
		case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
			if u, err := strconv.Unquote(v); err == nil {
				return u
			}
			return v[1 : len(v)-1]
		case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
			return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
		}
		return v
	}
	return ""
}
