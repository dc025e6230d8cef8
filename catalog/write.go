package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
)

// compressAbove is the schema size past which schema.json is stored gzipped.
const compressAbove = 256 << 10

// ProviderVersion is what a crawl hands to Write: one provider version's schema and docs.
type ProviderVersion struct {
	Source    string
	Version   string
	CrawledAt time.Time
	Schema    *tfjson.ProviderSchema
	Docs      *Docs // may be nil
}

// Write stores one provider version under dir and records it in dir/index.json: WriteFiles
// then Commit.
func Write(dir string, pv ProviderVersion) (IndexEntry, error) {
	entry, err := WriteFiles(dir, pv)
	if err != nil {
		return IndexEntry{}, err
	}
	if err := Commit(dir, entry); err != nil {
		return IndexEntry{}, err
	}
	return entry, nil
}

// WriteFiles stores one provider version's files under dir without touching the index, so
// the catalog that index.json describes is unchanged until Commit. File names carry a prefix
// of their content hash (schema.<hash>.json.gz, docs.<hash>.json): a crawl never overwrites
// a file the current index points at, so a crawl killed at any moment leaves the previous
// catalog whole. Output is deterministic: the same input writes the same bytes.
func WriteFiles(dir string, pv ProviderVersion) (IndexEntry, error) {
	pv.Source = NormalizeSource(pv.Source)
	where := fmt.Sprintf("writing provider %s %s", pv.Source, pv.Version)
	if !validSource(pv.Source) || !validSegment(pv.Version) {
		return IndexEntry{}, fmt.Errorf("%s: not a valid source and version", where)
	}
	if pv.Schema == nil {
		return IndexEntry{}, fmt.Errorf("%s: no schema", where)
	}
	entry := IndexEntry{
		Source:      pv.Source,
		Version:     pv.Version,
		CrawledAt:   pv.CrawledAt.UTC().Truncate(time.Second),
		Resources:   len(pv.Schema.ResourceSchemas),
		DataSources: len(pv.Schema.DataSourceSchemas),
		Files:       map[string]string{},
	}
	files := map[string][]byte{}
	name := func(base, ext string, data []byte) string {
		return base + "." + strings.TrimPrefix(hashOf(data), "sha256:")[:12] + ext
	}

	schemaJSON, err := json.Marshal(tfjson.ProviderSchemas{
		FormatVersion: "1.0",
		Schemas:       map[string]*tfjson.ProviderSchema{pv.Source: pv.Schema},
	})
	if err != nil {
		return IndexEntry{}, fmt.Errorf("%s: encoding schema: %w", where, err)
	}
	// Large files are stored gzipped; the gzip header carries no time or name, so the bytes
	// stay deterministic.
	put := func(base string, data []byte) error {
		if len(data) <= compressAbove {
			files[name(base, ".json", data)] = data
			return nil
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			return fmt.Errorf("%s: compressing %s: %w", where, base, err)
		}
		files[name(base, ".json.gz", buf.Bytes())] = buf.Bytes()
		return nil
	}
	if err := put("schema", append(schemaJSON, '\n')); err != nil {
		return IndexEntry{}, err
	}
	if pv.Docs != nil {
		docs := *pv.Docs
		docs.Format = 1
		entry.DocPages = len(docs.Resources) + len(docs.DataSources)
		b, err := json.MarshalIndent(docs, "", " ")
		if err != nil {
			return IndexEntry{}, fmt.Errorf("%s: encoding docs: %w", where, err)
		}
		if err := put("docs", append(b, '\n')); err != nil {
			return IndexEntry{}, err
		}
	}

	versionDir := filepath.Join(dir, filepath.FromSlash(entry.Dir()))
	if err := os.MkdirAll(versionDir, 0o755); err != nil {
		return IndexEntry{}, fmt.Errorf("%s: %w", where, err)
	}
	for n, data := range files {
		entry.Files[n] = hashOf(data)
		if err := writeAtomic(filepath.Join(versionDir, n), data); err != nil {
			return IndexEntry{}, fmt.Errorf("%s: %w", where, err)
		}
	}
	return entry, nil
}

// Commit records entries in dir/index.json with one atomic rename, replacing any entry of
// the same source and version, then removes the files of those version directories that no
// entry refers to any more.
func Commit(dir string, entries ...IndexEntry) error {
	idx, err := readIndexFile(dir)
	if err != nil {
		return fmt.Errorf("committing catalog index: %w", err)
	}
	replaced := map[string]bool{}
	for _, e := range entries {
		replaced[e.Source+"@"+e.Version] = true
	}
	kept := idx.Providers[:0]
	for _, e := range idx.Providers {
		if !replaced[e.Source+"@"+e.Version] {
			kept = append(kept, e)
		}
	}
	idx.Providers = append(kept, entries...)
	sort.Slice(idx.Providers, func(i, j int) bool {
		a, b := idx.Providers[i], idx.Providers[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return versionLess(a.Version, b.Version)
	})
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return fmt.Errorf("committing catalog index: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, IndexFile), append(b, '\n')); err != nil {
		return fmt.Errorf("committing catalog index: %w", err)
	}
	for _, e := range entries {
		versionDir := filepath.Join(dir, filepath.FromSlash(e.Dir()))
		des, err := os.ReadDir(versionDir)
		if err != nil {
			continue
		}
		for _, de := range des {
			if _, ok := e.Files[de.Name()]; !ok && !de.IsDir() {
				os.Remove(filepath.Join(versionDir, de.Name())) // superseded or a crashed crawl's leftover
			}
		}
	}
	return nil
}

// ReadIndex reads dir/index.json; a directory without one is an empty catalog.
func ReadIndex(dir string) (Index, error) { return readIndexFile(dir) }

func readIndexFile(dir string) (Index, error) {
	raw, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if os.IsNotExist(err) {
		return Index{Format: 1}, nil
	}
	if err != nil {
		return Index{}, fmt.Errorf("reading index: %w", err)
	}
	var idx Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return Index{}, fmt.Errorf("reading index: %w", err)
	}
	if idx.Format != 1 {
		return Index{}, fmt.Errorf("reading index: format %d is not supported (want 1)", idx.Format)
	}
	return idx, nil
}

func writeAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(name), err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", filepath.Base(name), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", filepath.Base(name), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(name), err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(name), err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(name), err)
	}
	return nil
}

// ReadProviderSchemas reads a `terraform providers schema -json` dump (any number of
// providers) from a file.
func ReadProviderSchemas(file string) (*tfjson.ProviderSchemas, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading provider schemas: %w", err)
	}
	var ps tfjson.ProviderSchemas
	if err := json.Unmarshal(raw, &ps); err != nil {
		return nil, fmt.Errorf("reading provider schemas from %s: %w", filepath.Base(file), err)
	}
	if len(ps.Schemas) == 0 {
		return nil, fmt.Errorf("reading provider schemas from %s: no provider_schemas", filepath.Base(file))
	}
	return &ps, nil
}

// SourceName is the type-name prefix of a source: registry.terraform.io/hashicorp/azurerm → azurerm.
func SourceName(source string) string {
	return source[strings.LastIndex(source, "/")+1:]
}
