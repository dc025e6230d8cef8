package providers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
)

// maxPlatforms and maxRequirements bound one Ensure call.
const (
	maxPlatforms    = 16
	maxRequirements = 256
)

// Ensure returns, for each requirement and each platform (in that order), the package to
// use, installing what the cache lacks:
//
//   - when lock names the provider, its version, checked against the lock's hashes: a
//     package whose hashes the lock does not record is an error wrapping
//     ErrChecksumMismatch, and nothing is returned;
//   - else the newest cached version matching the constraint that the cache holds for
//     every platform;
//   - else the newest version the source offers that matches, installed.
//
// A package is installed once however many callers ask for it at the same time, in this
// process or in another one using the same directory.
func (c *Cache) Ensure(ctx context.Context, reqs []Requirement, lock Lock, platforms []string) ([]Package, error) {
	if err := checkPlatforms(platforms); err != nil {
		return nil, fmt.Errorf("ensuring providers: %w", err)
	}
	if len(reqs) > maxRequirements {
		return nil, fmt.Errorf("ensuring providers: %d requirements, over %d", len(reqs), maxRequirements)
	}
	var pkgs []Package
	for _, req := range reqs {
		got, err := c.ensureOne(ctx, req, lock, platforms)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, got...)
	}
	return pkgs, nil
}

func checkPlatforms(platforms []string) error {
	if len(platforms) == 0 {
		return errors.New("no platform given")
	}
	if len(platforms) > maxPlatforms {
		return fmt.Errorf("%d platforms, over %d", len(platforms), maxPlatforms)
	}
	for _, p := range platforms {
		if err := checkPlatform(p); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cache) ensureOne(ctx context.Context, req Requirement, lock Lock, platforms []string) ([]Package, error) {
	if err := checkSourceSafe(req.Source); err != nil {
		return nil, fmt.Errorf("ensuring providers: %w", err)
	}
	con, err := parseConstraint(req.Constraint)
	if err != nil {
		return nil, fmt.Errorf("ensuring provider %s: %w", req.Source, err)
	}
	if locked, ok := lock.Provider(req.Source); ok {
		if err := checkVersion(locked.Version); err != nil {
			return nil, fmt.Errorf("ensuring provider %s: the lock file's %w", req.Source, err)
		}
		if req.Constraint != "" && !con.allows(locked.Version) {
			return nil, fmt.Errorf("ensuring provider %s: the lock file records version %s, which does not match the constraint %q: upgrade the providers to lock a matching version",
				req.Source, locked.Version, req.Constraint)
		}
		pkgs := make([]Package, 0, len(platforms))
		for _, platform := range platforms {
			pkg, err := c.ensureVersion(ctx, req.Source, locked.Version, platform)
			if err != nil {
				return nil, err
			}
			if err := lock.Verify(pkg); err != nil {
				return nil, fmt.Errorf("ensuring provider %s: %w", req.Source, err)
			}
			pkgs = append(pkgs, pkg)
		}
		return pkgs, nil
	}
	// Every platform gets the same version: the newest cached for all of them, else the
	// one the source offers for the first.
	version, err := c.newestCachedForAll(ctx, req.Source, con, platforms)
	if err != nil {
		return nil, err
	}
	pkgs := make([]Package, 0, len(platforms))
	for i, platform := range platforms {
		var pkg Package
		if i == 0 && version == "" {
			pkg, err = c.ensureMatching(ctx, req.Source, con, platform)
			version = pkg.Version
		} else {
			pkg, err = c.ensureVersion(ctx, req.Source, version, platform)
		}
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, pkg)
	}
	return pkgs, nil
}

// newestCachedForAll is the newest version matching con that the cache holds for every
// platform, or "".
func (c *Cache) newestCachedForAll(ctx context.Context, source string, con constraint, platforms []string) (string, error) {
	cached, err := c.List(ctx)
	if err != nil {
		return "", err
	}
	have := map[string]int{}
	for _, p := range cached {
		if p.Source == source && con.allows(p.Version) {
			for _, want := range platforms {
				if p.Platform == want {
					have[p.Version]++
				}
			}
		}
	}
	best := ""
	for v, n := range have {
		if n == len(platforms) && (best == "" || compareVersions(v, best) > 0) {
			best = v
		}
	}
	return best, nil
}

// cached returns the cached package, if any.
func (c *Cache) cached(source, version, platform string) (Package, bool, error) {
	pkg, err := c.readMeta(c.metaPath(Package{Source: source, Version: version, Platform: platform}.Path()))
	if errors.Is(err, os.ErrNotExist) {
		return Package{}, false, nil
	}
	if err != nil {
		return Package{}, false, err
	}
	// Files removed by hand: installed again.
	if _, err := os.Stat(pkg.Dir); errors.Is(err, os.ErrNotExist) {
		return Package{}, false, nil
	}
	return pkg, true, nil
}

// ensureVersion returns one version for one platform, installing it if needed.
func (c *Cache) ensureVersion(ctx context.Context, source, version, platform string) (Package, error) {
	if pkg, ok, err := c.cached(source, version, platform); ok || err != nil {
		return pkg, err
	}
	unlock, err := c.lock(ctx, source, platform)
	if err != nil {
		return Package{}, c.installError(ctx, fmt.Sprintf("installing %s %s for %s", source, version, platform), err)
	}
	defer unlock()
	// Another caller may have installed it while this one waited.
	if pkg, ok, err := c.cached(source, version, platform); ok || err != nil {
		return pkg, err
	}
	con, err := parseConstraint("= " + version)
	if err != nil {
		return Package{}, err
	}
	return c.install(ctx, source, con, platform)
}

// ensureMatching returns the newest cached version matching con for one platform, else
// installs the newest the source offers.
func (c *Cache) ensureMatching(ctx context.Context, source string, con constraint, platform string) (Package, error) {
	unlock, err := c.lock(ctx, source, platform)
	if err != nil {
		return Package{}, c.installError(ctx, fmt.Sprintf("installing %s for %s", source, platform), err)
	}
	defer unlock()
	version, err := c.newestCachedForAll(ctx, source, con, []string{platform})
	if err != nil {
		return Package{}, err
	}
	if version != "" {
		pkg, _, err := c.cached(source, version, platform)
		return pkg, err
	}
	return c.install(ctx, source, con, platform)
}

// describe names a constraint in messages.
func (con constraint) describe() string {
	if con.text == "" {
		return "any version"
	}
	return "version " + strings.TrimSpace(con.text)
}
