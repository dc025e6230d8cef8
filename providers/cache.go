package providers

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Options configures Open.
type Options struct {
	// Terraform is the host terraform binary that downloads from the registries.
	Terraform string
	// Mirror is an operator's provider mirror directory (the packed or unpacked layout
	// terraform's filesystem mirrors use): when set, packages are installed from it only,
	// never from a registry.
	Mirror string
	// Env is extra environment for terraform (SSL_CERT_FILE, HTTPS_PROXY).
	Env map[string]string
	// Timeout bounds one package's install; default 5m.
	Timeout time.Duration
	// Logger gets one line per install; default discards.
	Logger *slog.Logger
}

// Cache is a provider cache directory. Its methods are safe for concurrent use, also by
// several Cache values, in one process or several, on the same directory.
type Cache struct {
	dir      string
	opts     Options
	log      *slog.Logger
	installs atomic.Int64
	locks    keyedMutex
}

// metaDir holds what the cache knows besides the packages: their metadata, the staging
// area, the lock files and the volume records. Its name is no valid hostname's, so a
// filesystem mirror reading dir never takes it for providers.
const metaDir = ".cloudoven"

const defaultTimeout = 5 * time.Minute

// Open opens (creating it if needed) the cache in dir and removes what a crash left: staged
// installs, and package directories whose metadata was never written.
func Open(dir string, opts Options) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("opening the provider cache: no directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the provider cache %s: %w", dir, err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Mirror != "" {
		if opts.Mirror, err = filepath.Abs(opts.Mirror); err != nil {
			return nil, fmt.Errorf("opening the provider cache: mirror %s: %w", opts.Mirror, err)
		}
		if fi, err := os.Stat(opts.Mirror); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("opening the provider cache: the provider mirror %s is not a readable directory", opts.Mirror)
		}
	}
	c := &Cache{dir: abs, opts: opts, log: opts.Logger}
	for _, d := range []string{c.stagingDir(), c.lockDir(), c.packagesMetaDir(), c.volumesDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("opening the provider cache %s: %w", abs, err)
		}
	}
	if err := c.recover(); err != nil {
		return nil, fmt.Errorf("opening the provider cache %s: %w", abs, err)
	}
	return c, nil
}

// Dir is the cache's directory.
func (c *Cache) Dir() string { return c.dir }

// Installs counts the packages this Cache installed.
func (c *Cache) Installs() int64 { return c.installs.Load() }

func (c *Cache) stagingDir() string      { return filepath.Join(c.dir, metaDir, "staging") }
func (c *Cache) lockDir() string         { return filepath.Join(c.dir, metaDir, "locks") }
func (c *Cache) packagesMetaDir() string { return filepath.Join(c.dir, metaDir, "packages") }
func (c *Cache) volumesDir() string      { return filepath.Join(c.dir, metaDir, "volumes") }

// recover removes staged installs no process is working on (each install holds the lock of
// its staging directory), then package directories without metadata: a crash between the
// rename and the metadata's write.
func (c *Cache) recover() error {
	entries, err := os.ReadDir(c.stagingDir())
	if err != nil {
		return err
	}
	for _, e := range entries {
		l, ok, err := tryLockFile(filepath.Join(c.lockDir(), "staging-"+e.Name()))
		if err != nil {
			return err
		}
		if !ok {
			continue // a live install
		}
		err = os.RemoveAll(filepath.Join(c.stagingDir(), e.Name()))
		l.unlockAndRemove()
		if err != nil {
			return fmt.Errorf("removing a stale staged install: %w", err)
		}
		c.log.Info("removed a stale staged provider install", "dir", e.Name())
	}
	// Lock files of staging directories already removed (a crash between the two).
	locks, err := filepath.Glob(filepath.Join(c.lockDir(), "staging-*"))
	if err != nil {
		return err
	}
	for _, path := range locks {
		if _, err := os.Stat(filepath.Join(c.stagingDir(), strings.TrimPrefix(filepath.Base(path), "staging-"))); err == nil {
			continue
		}
		if l, ok, err := tryLockFile(path); err == nil && ok {
			l.unlockAndRemove()
		}
	}
	// Package directories sit at host/namespace/type/version/platform.
	dirs, err := filepath.Glob(filepath.Join(c.dir, "*", "*", "*", "*", "*"))
	if err != nil {
		return err
	}
	for _, d := range dirs {
		rel, err := filepath.Rel(c.dir, d)
		if err != nil || strings.HasPrefix(rel, metaDir) {
			continue
		}
		if _, err := os.Stat(c.metaPath(filepath.ToSlash(rel))); err == nil {
			continue
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		unlock, err := c.lock(context.Background(), parts[0]+"/"+parts[1]+"/"+parts[2], parts[4])
		if err != nil {
			return err
		}
		if _, err := os.Stat(c.metaPath(filepath.ToSlash(rel))); errors.Is(err, fs.ErrNotExist) {
			err = os.RemoveAll(d)
			if err == nil {
				c.log.Info("removed a provider package whose install did not finish", "package", rel)
			}
		}
		unlock()
		if err != nil {
			return fmt.Errorf("removing the unfinished package %s: %w", rel, err)
		}
	}
	return nil
}

// List is every package in the cache, sorted by source, version and platform.
func (c *Cache) List(ctx context.Context) ([]Package, error) {
	var pkgs []Package
	root := c.packagesMetaDir()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json") || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		pkg, err := c.readMeta(p)
		if err != nil {
			return err
		}
		pkgs = append(pkgs, pkg)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the provider cache %s: %w", c.dir, err)
	}
	slices.SortFunc(pkgs, comparePackages)
	return pkgs, nil
}

func comparePackages(a, b Package) int {
	if c := strings.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	if c := compareVersions(a.Version, b.Version); c != 0 {
		return c
	}
	return strings.Compare(a.Platform, b.Platform)
}

// Remove deletes one package from the cache. Its metadata goes first, so a crash midway
// leaves a directory Open removes, never a listed package with missing files. Volumes
// filled from it are Volumes.Remove's (cmd removes both).
func (c *Cache) Remove(ctx context.Context, source, version, platform string) error {
	pkg := Package{Source: source, Version: version, Platform: platform}
	if err := checkPackage(pkg); err != nil {
		return fmt.Errorf("removing a provider package: %w", err)
	}
	unlock, err := c.lock(ctx, source, platform)
	if err != nil {
		return fmt.Errorf("removing %s %s for %s: %w", source, version, platform, err)
	}
	defer unlock()
	meta := c.metaPath(pkg.Path())
	if _, err := os.Stat(meta); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing %s %s for %s: not in the provider cache %s: %w", source, version, platform, c.dir, ErrNotFound)
	}
	if err := os.Remove(meta); err != nil {
		return fmt.Errorf("removing %s %s for %s: %w", source, version, platform, err)
	}
	dir := filepath.Join(c.dir, filepath.FromSlash(pkg.Path()))
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s %s for %s: %w", source, version, platform, err)
	}
	removeEmptyParents(filepath.Dir(dir), c.dir)
	removeEmptyParents(filepath.Dir(meta), c.packagesMetaDir())
	c.log.Info("removed provider package", "provider", source, "version", version, "platform", platform)
	return nil
}

// ErrNotFound is wrapped when a provider, or a version of it matching the constraint, is
// not where it was looked for.
var ErrNotFound = errors.New("provider not found")

// removeEmptyParents removes dir and its parents up to root, exclusive, while they are
// empty. A directory another install fills meanwhile is not empty and stays: os.Remove
// removes only empty ones.
func removeEmptyParents(dir, root string) {
	for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}
