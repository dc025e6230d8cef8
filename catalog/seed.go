package catalog

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Seed copies the catalog in from (usually Embedded()) into dir when dir has no index yet,
// so a first crawl starts from the bundled catalog: versions already there are skipped, and
// a crawl that cannot reach a registry still leaves a usable catalog. It does nothing when
// dir already holds a catalog.
func Seed(dir string, from fs.FS) error {
	if _, err := os.Stat(filepath.Join(dir, IndexFile)); err == nil {
		return nil
	}
	err := fs.WalkDir(from, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == IndexFile {
			return err // the index goes last, once every file it names is in place
		}
		data, err := fs.ReadFile(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return writeAtomic(target, data)
	})
	if err != nil {
		return fmt.Errorf("seeding catalog %s: %w", dir, err)
	}
	index, err := fs.ReadFile(from, IndexFile)
	if err != nil {
		return fmt.Errorf("seeding catalog %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("seeding catalog %s: %w", dir, err)
	}
	if err := writeAtomic(filepath.Join(dir, IndexFile), index); err != nil {
		return fmt.Errorf("seeding catalog %s: %w", dir, err)
	}
	return nil
}
