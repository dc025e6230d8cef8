package providers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// metadata is what the cache records of a package beside its files. Its file is written
// last, atomically: a package exists once its metadata does.
type metadata struct {
	Source      string    `json:"source"`
	Version     string    `json:"version"`
	Platform    string    `json:"platform"`
	Size        int64     `json:"size"`
	Hashes      []string  `json:"hashes"`
	From        string    `json:"from"`
	InstalledAt time.Time `json:"installed_at"`
}

// maxMeta bounds a metadata file read.
const maxMeta = 64 << 10

func (c *Cache) metaPath(pkgPath string) string {
	return filepath.Join(c.packagesMetaDir(), filepath.FromSlash(pkgPath)+".json")
}

func (c *Cache) readMeta(path string) (Package, error) {
	f, err := os.Open(path)
	if err != nil {
		return Package{}, err
	}
	defer f.Close()
	var m metadata
	if err := json.NewDecoder(io.LimitReader(f, maxMeta)).Decode(&m); err != nil {
		return Package{}, fmt.Errorf("reading %s: %w", path, err)
	}
	p := Package{Source: m.Source, Version: m.Version, Platform: m.Platform, Size: m.Size, Hashes: m.Hashes, From: m.From, InstalledAt: m.InstalledAt}
	if err := checkPackage(p); err != nil {
		return Package{}, fmt.Errorf("reading %s: %w", path, err)
	}
	p.Dir = filepath.Join(c.dir, filepath.FromSlash(p.Path()))
	return p, nil
}

// writeMeta writes p's metadata through a temporary file renamed into place.
func (c *Cache) writeMeta(p Package) error {
	path := c.metaPath(p.Path())
	data, err := json.MarshalIndent(metadata{Source: p.Source, Version: p.Version, Platform: p.Platform, Size: p.Size,
		Hashes: p.Hashes, From: p.From, InstalledAt: p.InstalledAt.UTC()}, "", "  ")
	if err != nil {
		return err
	}
	return retryParents(path, func() error { return writeFileAtomic(path, data) })
}

// retryParents makes path's parent directories, then runs create, again when they vanish
// meanwhile: Remove deletes the empty parents of what it removes, holding only the lock of
// its own package's provider and platform.
func retryParents(path string, create func() error) error {
	var err error
	for range 3 {
		if err = os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err = create(); !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return err
}

// writeFileAtomic writes data to path so that readers see the old file or the whole new one.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

var (
	// addressPart is one part of a provider address: a hostname (with its port), a
	// namespace or a type. Dots alone are refused: each part is a directory name.
	addressPart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	platformRe  = regexp.MustCompile(`^[a-z0-9]{1,32}_[a-z0-9]{1,32}$`)
	versionRe   = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]{1,64})?$`)
)

// checkSourceSafe checks a provider address that becomes directory names.
func checkSourceSafe(source string) error {
	if err := checkSource(source); err != nil {
		return err
	}
	for _, part := range strings.Split(source, "/") {
		if !addressPart.MatchString(part) || strings.Contains(part, "..") {
			return fmt.Errorf("provider address %q: %q is not a valid part", source, part)
		}
	}
	return nil
}

func checkPlatform(p string) error {
	if !platformRe.MatchString(p) {
		return fmt.Errorf("platform %q: want os_arch, such as linux_amd64", p)
	}
	return nil
}

func checkVersion(v string) error {
	if !versionRe.MatchString(v) {
		return fmt.Errorf("version %q: want major.minor.patch", v)
	}
	return nil
}

// checkPackage checks the parts of p that make its path.
func checkPackage(p Package) error {
	if err := checkSourceSafe(p.Source); err != nil {
		return err
	}
	if err := checkVersion(p.Version); err != nil {
		return err
	}
	return checkPlatform(p.Platform)
}
