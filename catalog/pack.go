package catalog

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"
)

// Limits of a packed catalog, checked by Pack and again by Install, which reads blobs from
// the database. A crawled catalog (the newest version of six providers, the large schemas
// gzipped) packs to a few MB.
const (
	// MaxPackBytes bounds the packed (compressed) catalog: 64 MiB.
	MaxPackBytes = 64 << 20
	// MaxPackContentBytes bounds the files a pack holds, uncompressed by the pack: 256 MiB.
	MaxPackContentBytes = 256 << 20
	// maxPackFiles bounds the files a pack holds, the index included.
	maxPackFiles = 4096
	// maxPackIndexBytes bounds the pack's index.json.
	maxPackIndexBytes = 8 << 20
)

// Pack packs the catalog in dir, as Load would read it (the index's newest version of each
// provider, and its files), into one gzipped tar whose first member is its index.json. Every
// file is checked against the index's hash on the way, so a damaged directory is never
// packed. The same directory packs to the same bytes.
func Pack(dir string) ([]byte, error) {
	idx, err := readIndexFile(dir)
	if err != nil {
		return nil, fmt.Errorf("packing catalog: %w", err)
	}
	packed := Index{Format: 1, Providers: Newest(idx.Providers)}
	indexJSON, err := json.MarshalIndent(packed, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("packing catalog: %w", err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	total, files := 0, 0
	add := func(name string, data []byte) error {
		total += len(data)
		files++
		if total > MaxPackContentBytes || files > maxPackFiles {
			return fmt.Errorf("the catalog is over %d files or %d bytes (256 MiB)", maxPackFiles, MaxPackContentBytes)
		}
		// No times, owners or modes from the disk: the bytes depend on the content only.
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: int64(len(data)), Mode: 0o644, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := add(IndexFile, append(indexJSON, '\n')); err != nil {
		return nil, fmt.Errorf("packing catalog: %w", err)
	}
	for _, e := range packed.Providers {
		for _, name := range slices.Sorted(maps.Keys(e.Files)) {
			rel := path.Join(e.Dir(), name)
			raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil {
				return nil, fmt.Errorf("packing catalog: %w", err)
			}
			if got := hashOf(raw); got != e.Files[name] {
				return nil, fmt.Errorf("packing catalog: %s: content hash %s does not match the index (%s); the catalog is damaged, crawl it again", rel, got, e.Files[name])
			}
			if err := add(rel, raw); err != nil {
				return nil, fmt.Errorf("packing catalog: %w", err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("packing catalog: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("packing catalog: %w", err)
	}
	if buf.Len() > MaxPackBytes {
		return nil, fmt.Errorf("packing catalog: it packs to %d bytes; the limit is %d bytes (64 MiB)", buf.Len(), MaxPackBytes)
	}
	return buf.Bytes(), nil
}

// Install writes a catalog that Pack packed into dir beside what dir holds, then records its
// versions in dir/index.json with Commit, so Load of dir reads them (a newer version dir
// already has is kept and still wins, as in any catalog directory). The whole pack is read
// and checked (limits, names, every file against its index hash) before anything is
// written; a pack that fails a check changes nothing. changed is false when dir already
// holds every version of the pack, with the same files, and nothing was written.
func Install(dir string, blob []byte) (changed bool, err error) {
	entries, files, err := unpack(blob)
	if err != nil {
		return false, fmt.Errorf("installing catalog: %w", err)
	}
	have, err := readIndexFile(dir)
	if err != nil {
		return false, fmt.Errorf("installing catalog: %w", err)
	}
	if holdsAll(have, entries) {
		return false, nil
	}
	for _, e := range entries {
		versionDir := filepath.Join(dir, filepath.FromSlash(e.Dir()))
		if err := os.MkdirAll(versionDir, 0o755); err != nil {
			return false, fmt.Errorf("installing catalog: %w", err)
		}
		for name, hash := range e.Files {
			target := filepath.Join(versionDir, name)
			// Names carry a prefix of their hash: a file already there is usually the same.
			if cur, err := os.ReadFile(target); err == nil && hashOf(cur) == hash {
				continue
			}
			if err := writeAtomic(target, files[path.Join(e.Dir(), name)]); err != nil {
				return false, fmt.Errorf("installing catalog: %w", err)
			}
		}
	}
	if err := Commit(dir, entries...); err != nil {
		return false, fmt.Errorf("installing catalog: %w", err)
	}
	return true, nil
}

// holdsAll reports whether idx lists every entry of want with the same files.
func holdsAll(idx Index, want []IndexEntry) bool {
	for _, w := range want {
		found := false
		for _, e := range idx.Providers {
			if e.Source == w.Source && e.Version == w.Version && maps.Equal(e.Files, w.Files) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// unpack reads and checks a pack: its index, then exactly the files the index names, each
// matching its hash.
func unpack(blob []byte) ([]IndexEntry, map[string][]byte, error) {
	if len(blob) > MaxPackBytes {
		return nil, nil, fmt.Errorf("the pack is %d bytes; the limit is %d bytes (64 MiB)", len(blob), MaxPackBytes)
	}
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the pack: %w", err)
	}
	// The gzip stream is read through a limit a little over the content bound, so a pack
	// that inflates without end stops there; tar's own headers take the rest.
	tr := tar.NewReader(io.LimitReader(zr, MaxPackContentBytes+maxPackFiles*2048))
	hdr, err := tr.Next()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the pack: %w", err)
	}
	if hdr.Name != IndexFile || hdr.Typeflag != tar.TypeReg || hdr.Size > maxPackIndexBytes {
		return nil, nil, fmt.Errorf("reading the pack: the first member is %q (%d bytes), want %s of at most %d bytes", hdr.Name, hdr.Size, IndexFile, maxPackIndexBytes)
	}
	raw, err := io.ReadAll(tr)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the pack's %s: %w", IndexFile, err)
	}
	var idx Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, nil, fmt.Errorf("reading the pack's %s: %w", IndexFile, err)
	}
	if idx.Format != 1 {
		return nil, nil, fmt.Errorf("reading the pack's %s: format %d is not supported (want 1)", IndexFile, idx.Format)
	}
	want := map[string]string{} // path → hash
	sources := map[string]bool{}
	for _, e := range idx.Providers {
		if !validSource(e.Source) || !validSegment(e.Version) || sources[e.Source] {
			return nil, nil, fmt.Errorf("reading the pack's %s: %s %s is not a valid source and version, or is listed twice", IndexFile, quoteName(e.Source), quoteName(e.Version))
		}
		sources[e.Source] = true
		for name, hash := range e.Files {
			if !validSegment(name) {
				return nil, nil, fmt.Errorf("reading the pack's %s: %s %s lists the file %s", IndexFile, e.Source, e.Version, quoteName(name))
			}
			want[path.Join(e.Dir(), name)] = hash
		}
		if fileOf(e, "schema") == "" {
			return nil, nil, fmt.Errorf("reading the pack's %s: %s %s lists no schema file", IndexFile, e.Source, e.Version)
		}
	}
	if len(want)+1 > maxPackFiles {
		return nil, nil, fmt.Errorf("reading the pack: %d files; the limit is %d", len(want)+1, maxPackFiles)
	}
	files := map[string][]byte{}
	total := int64(len(raw))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading the pack: %w", err)
		}
		hash, ok := want[hdr.Name]
		if !ok || hdr.Typeflag != tar.TypeReg || files[hdr.Name] != nil {
			return nil, nil, fmt.Errorf("reading the pack: %s is not a file its index lists, or comes twice", quoteName(hdr.Name))
		}
		total += hdr.Size
		if hdr.Size < 0 || total > MaxPackContentBytes {
			return nil, nil, fmt.Errorf("reading the pack: its files are over %d bytes (256 MiB)", MaxPackContentBytes)
		}
		data := make([]byte, hdr.Size)
		if _, err := io.ReadFull(tr, data); err != nil {
			return nil, nil, fmt.Errorf("reading the pack's %s: %w", hdr.Name, err)
		}
		if got := hashOf(data); got != hash {
			return nil, nil, fmt.Errorf("reading the pack's %s: content hash %s does not match its index (%s)", hdr.Name, got, hash)
		}
		files[hdr.Name] = data
	}
	for name := range want {
		if files[name] == nil {
			return nil, nil, fmt.Errorf("reading the pack: %s, listed in its index, is missing", name)
		}
	}
	return idx.Providers, files, nil
}

// quoteName quotes a name read from a pack for an error message, cut short.
func quoteName(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return fmt.Sprintf("%q", s)
}
