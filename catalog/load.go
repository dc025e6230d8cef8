package catalog

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	goversion "github.com/hashicorp/go-version"
	tfjson "github.com/hashicorp/terraform-json"
)

// Load reads the catalog in fsys: index.json, then for each provider source its newest
// listed version, checking every file against the hash the index records.
func Load(fsys fs.FS) (*Catalog, error) {
	raw, err := fs.ReadFile(fsys, IndexFile)
	if err != nil {
		return nil, fmt.Errorf("reading catalog index: %w", err)
	}
	var idx Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("reading catalog index: %w", err)
	}
	if idx.Format != 1 {
		return nil, fmt.Errorf("reading catalog index: format %d is not supported (want 1)", idx.Format)
	}
	entries := Newest(idx.Providers)

	// Providers parse independently; azurerm and kubernetes are ~3 MB of JSON each, so the
	// load runs them side by side.
	providers := make([]*Provider, len(entries))
	errs := make([]error, len(entries))
	var wg sync.WaitGroup
	for i, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			providers[i], errs[i] = loadProvider(fsys, e)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return New(providers)
}

// Newest keeps, for each source, the entry with the highest version, ordered with the builtin
// provider first and then by source.
func Newest(entries []IndexEntry) []IndexEntry {
	best := map[string]IndexEntry{}
	for _, e := range entries {
		cur, ok := best[e.Source]
		if !ok || versionLess(cur.Version, e.Version) {
			best[e.Source] = e
		}
	}
	out := make([]IndexEntry, 0, len(best))
	for _, e := range best {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		bi, bj := out[i].Source == BuiltinSource, out[j].Source == BuiltinSource
		if bi != bj {
			return bi
		}
		return out[i].Source < out[j].Source
	})
	return out
}

func versionLess(a, b string) bool {
	va, errA := goversion.NewVersion(a)
	vb, errB := goversion.NewVersion(b)
	if errA != nil || errB != nil {
		return a < b
	}
	return va.LessThan(vb)
}

func loadProvider(fsys fs.FS, e IndexEntry) (*Provider, error) {
	where := fmt.Sprintf("loading provider %s %s", e.Source, e.Version)
	if !validSource(e.Source) || !validSegment(e.Version) {
		return nil, fmt.Errorf("%s: not a valid source and version", where)
	}
	p := &Provider{Source: e.Source, Version: e.Version, Docs: &Docs{}}
	parts := strings.Split(e.Source, "/")
	p.Namespace, p.Name = parts[1], parts[2]

	schemaFile, docsFile := fileOf(e, "schema"), fileOf(e, "docs")
	if schemaFile == "" {
		return nil, fmt.Errorf("%s: the index lists no schema file", where)
	}
	data, err := readChecked(fsys, e, schemaFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	var ps tfjson.ProviderSchemas
	if err := json.Unmarshal(data, &ps); err != nil {
		return nil, fmt.Errorf("%s: parsing %s: %w", where, schemaFile, err)
	}
	for _, s := range ps.Schemas {
		p.Schema = s // the file holds exactly one provider
	}
	if p.Schema == nil || len(ps.Schemas) != 1 {
		return nil, fmt.Errorf("%s: %s must hold exactly one provider schema, has %d", where, schemaFile, len(ps.Schemas))
	}

	if docsFile != "" {
		data, err := readChecked(fsys, e, docsFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if err := json.Unmarshal(data, p.Docs); err != nil {
			return nil, fmt.Errorf("%s: parsing %s: %w", where, docsFile, err)
		}
	}
	return p, nil
}

// fileOf finds the entry's file of a kind: schema.json, schema.<hash>.json.gz, docs.<hash>.json.
func fileOf(e IndexEntry, kind string) string {
	var names []string
	for name := range e.Files {
		if strings.HasPrefix(name, kind+".") && (strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".json.gz")) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// readChecked reads one file of an entry, verifies it against the index hash and gunzips it
// when its name says so.
func readChecked(fsys fs.FS, e IndexEntry, name string) ([]byte, error) {
	raw, err := fs.ReadFile(fsys, path.Join(e.Dir(), name))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if want, got := e.Files[name], hashOf(raw); want != got {
		return nil, fmt.Errorf("reading %s: content hash %s does not match the index (%s); the catalog is damaged, crawl it again", name, got, want)
	}
	if !strings.HasSuffix(name, ".gz") {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return out, nil
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// validSource accepts host/namespace/name with safe path segments.
func validSource(s string) bool {
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if !validSegment(p) {
			return false
		}
	}
	return true
}

func validSegment(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == '+') {
			return false
		}
	}
	return true
}
