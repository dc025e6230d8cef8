package schemas

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

// Write stores one provider version under dir and records it in dir/index.json. Every file
// goes to a temporary name first and is renamed into place, the index last, so a crash
// leaves either the previous catalog or the new one, never a mix the index points at.
// Output is deterministic: the same input writes the same bytes.
func Write(dir string, pv ProviderVersion) (IndexEntry, error) {
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

	schemaJSON, err := json.Marshal(tfjson.ProviderSchemas{
		FormatVersion: "1.0",
		Schemas:       map[string]*tfjson.ProviderSchema{pv.Source: pv.Schema},
	})
	if err != nil {
		return IndexEntry{}, fmt.Errorf("%s: encoding schema: %w", where, err)
	}
	if len(schemaJSON) > compressAbove {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // header carries no time or name
		zw.Write(schemaJSON)
		if err := zw.Close(); err != nil {
			return IndexEntry{}, fmt.Errorf("%s: compressing schema: %w", where, err)
		}
		files["schema.json.gz"] = buf.Bytes()
	} else {
		files["schema.json"] = append(schemaJSON, '\n')
	}
	if pv.Docs != nil {
		docs := *pv.Docs
		docs.Format = 1
		entry.DocPages = len(docs.Resources) + len(docs.DataSources)
		b, err := json.MarshalIndent(docs, "", " ")
		if err != nil {
			return IndexEntry{}, fmt.Errorf("%s: encoding docs: %w", where, err)
		}
		files["docs.json"] = append(b, '\n')
	}

	versionDir := filepath.Join(dir, filepath.FromSlash(entry.Dir()))
	if err := os.MkdirAll(versionDir, 0o755); err != nil {
		return IndexEntry{}, fmt.Errorf("%s: %w", where, err)
	}
	for name, data := range files {
		entry.Files[name] = hashOf(data)
		if err := writeAtomic(filepath.Join(versionDir, name), data); err != nil {
			return IndexEntry{}, fmt.Errorf("%s: %w", where, err)
		}
	}
	// A file a previous crawl of this version wrote but this one did not is stale.
	for _, stale := range []string{"schema.json", "schema.json.gz", "docs.json"} {
		if _, ok := files[stale]; !ok {
			os.Remove(filepath.Join(versionDir, stale))
		}
	}

	idx, err := readIndexFile(dir)
	if err != nil {
		return IndexEntry{}, fmt.Errorf("%s: %w", where, err)
	}
	kept := idx.Providers[:0]
	for _, e := range idx.Providers {
		if e.Source != entry.Source || e.Version != entry.Version {
			kept = append(kept, e)
		}
	}
	idx.Providers = append(kept, entry)
	sort.Slice(idx.Providers, func(i, j int) bool {
		a, b := idx.Providers[i], idx.Providers[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return versionLess(a.Version, b.Version)
	})
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return IndexEntry{}, fmt.Errorf("%s: encoding index: %w", where, err)
	}
	if err := writeAtomic(filepath.Join(dir, IndexFile), append(b, '\n')); err != nil {
		return IndexEntry{}, fmt.Errorf("%s: %w", where, err)
	}
	return entry, nil
}

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
