package providers

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// LockFor is the dependency lock file a configuration requiring reqs should have, every
// package it names installed in the cache for each platform:
//
//   - upgrade false: current's version of each provider it names, checked against its
//     hashes (the lock's hashes kept, those of the platforms added), and, for providers it
//     does not name, what Ensure would choose;
//   - upgrade true: for every provider, the newest version the source offers that matches
//     its constraint, whatever current and the cache hold.
//
// Providers current names that reqs do not are left out, as terraform leaves them out.
func (c *Cache) LockFor(ctx context.Context, reqs []Requirement, current Lock, platforms []string, upgrade bool) (Lock, error) {
	if err := checkPlatforms(platforms); err != nil {
		return Lock{}, fmt.Errorf("locking providers: %w", err)
	}
	if len(reqs) > maxRequirements {
		return Lock{}, fmt.Errorf("locking providers: %d requirements, over %d", len(reqs), maxRequirements)
	}
	var lock Lock
	for _, req := range reqs {
		var pkgs []Package
		var err error
		if upgrade {
			pkgs, err = c.newest(ctx, req, platforms)
		} else {
			// Ensure keeps current's version, or picks one for a provider it lacks.
			pkgs, err = c.ensureOne(ctx, req, current, platforms)
		}
		if err != nil {
			return Lock{}, fmt.Errorf("locking providers: %w", err)
		}
		locked := Locked{Source: req.Source, Version: pkgs[0].Version, Constraints: req.Constraint}
		if prev, ok := current.Provider(req.Source); ok && prev.Version == locked.Version {
			locked.Hashes = slices.Clone(prev.Hashes)
		}
		for _, p := range pkgs {
			locked.Hashes = append(locked.Hashes, p.Hashes...)
		}
		slices.Sort(locked.Hashes)
		locked.Hashes = slices.Compact(locked.Hashes)
		lock.Providers = append(lock.Providers, locked)
	}
	slices.SortFunc(lock.Providers, func(a, b Locked) int { return strings.Compare(a.Source, b.Source) })
	return lock, nil
}

// newest asks the source for the newest version matching req's constraint (installing it
// for the first platform, unless the cache has it), then ensures that version for the
// other platforms.
func (c *Cache) newest(ctx context.Context, req Requirement, platforms []string) ([]Package, error) {
	if err := checkSourceSafe(req.Source); err != nil {
		return nil, err
	}
	con, err := parseConstraint(req.Constraint)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", req.Source, err)
	}
	unlock, err := c.lock(ctx, req.Source, platforms[0])
	if err != nil {
		return nil, c.installError(ctx, "upgrading "+req.Source, err)
	}
	first, err := c.install(ctx, req.Source, con, platforms[0])
	unlock()
	if err != nil {
		return nil, err
	}
	pkgs := []Package{first}
	for _, platform := range platforms[1:] {
		pkg, err := c.ensureVersion(ctx, req.Source, first.Version, platform)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, pkg)
	}
	return pkgs, nil
}
