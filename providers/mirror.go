package providers

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fromMirror finds the newest version matching con for platform in the operator's mirror
// directory, in either layout terraform's filesystem mirrors use:
//
//	<mirror>/<host>/<namespace>/<type>/terraform-provider-<type>_<version>_<platform>.zip
//	<mirror>/<host>/<namespace>/<type>/<version>/<platform>/
//
// It reads the directory itself: `terraform providers mirror` always asks the origin
// registry, whatever the CLI configuration says, so it cannot install from a mirror.
// Packages from a mirror carry no signature; their hashes are checked against the lock
// file, as terraform does.
func (c *Cache) fromMirror(source string, con constraint, platform string) (fetched, error) {
	dir := filepath.Join(c.opts.Mirror, filepath.FromSlash(source))
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return fetched{}, fmt.Errorf("reading the provider mirror %s: %w", dir, err)
	}
	typ := source[strings.LastIndex(source, "/")+1:]
	prefix, suffix := "terraform-provider-"+typ+"_", "_"+platform+".zip"
	best := fetched{}
	consider := func(f fetched) {
		if checkVersion(f.version) != nil || !con.allows(f.version) {
			return
		}
		// A zip wins over a directory of the same version: it also gives the zh: hash.
		if c := compareVersions(f.version, best.version); best.version == "" || c > 0 || c == 0 && f.zip != "" {
			best = f
		}
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix):
			consider(fetched{version: strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix), zip: filepath.Join(dir, name)})
		default:
			// os.Stat follows a link: mirrors often link a version to where it lives.
			if fi, err := os.Stat(filepath.Join(dir, name, platform)); err == nil && fi.IsDir() {
				consider(fetched{version: name, dir: filepath.Join(dir, name, platform)})
			}
		}
	}
	if best.version == "" {
		return fetched{}, fmt.Errorf("the provider mirror %s has no %s matching %s for %s (looked in %s): %w",
			c.opts.Mirror, source, con.describe(), platform, dir, ErrNotFound)
	}
	best.from = "mirror"
	return best, nil
}
