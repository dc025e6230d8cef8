package providercheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	goversion "github.com/hashicorp/go-version"

	"github.com/cloudoven/cloudoven/blueprint"
)

// Mirror gives a filesystem mirror directory that holds the providers the files need, in
// terraform's unpacked (HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/) or packed
// (HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip) layout. The check reads
// it and never writes to it.
type Mirror interface {
	Mirror(ctx context.Context, files map[string][]byte) (dir string, err error)
}

// MirrorDir is a Mirror that is one directory, whatever the files need.
type MirrorDir string

// Mirror returns the directory.
func (d MirrorDir) Mirror(context.Context, map[string][]byte) (string, error) { return string(d), nil }

// Provider is one provider a check used.
type Provider struct {
	Name    string `json:"name"`    // the local name: time
	Source  string `json:"source"`  // registry.terraform.io/hashicorp/time
	Version string `json:"version"` // 0.14.2; "" when the mirror has none that fits
}

// requirements are the providers b uses, by local name, with the constraint of their
// required_providers entry: the entries, and the providers its resources imply.
func requirements(b *blueprint.Blueprint) map[string]string {
	out := map[string]string{}
	for _, rp := range b.RequiredProviders {
		out[rp.Name] = rp.Version
	}
	for _, pc := range b.Providers {
		if _, ok := out[pc.Name]; !ok {
			out[pc.Name] = ""
		}
	}
	for r := range b.AllResources() {
		name, _, _ := strings.Cut(r.Provider, ".")
		if name == "" {
			name, _, _ = strings.Cut(r.Type, "_")
		}
		if _, ok := out[name]; !ok && name != "terraform" {
			out[name] = ""
		}
	}
	return out
}

// mirroredProviders says which version of each provider b uses terraform init will take
// from the mirror in dir: the newest one for this platform that meets the constraint.
func mirroredProviders(dir string, b *blueprint.Blueprint) ([]Provider, error) {
	var out []Provider
	for name, constraint := range requirements(b) {
		src := ProviderSource(b, name)
		if src == "" {
			return nil, fmt.Errorf("provider %s: its source does not parse", name)
		}
		p := Provider{Name: name, Source: src}
		if !strings.HasPrefix(src, "terraform.io/builtin/") {
			v, err := newestMirrored(dir, src, constraint)
			if err != nil {
				return nil, err
			}
			p.Version = v
		}
		out = append(out, p)
	}
	sortProviders(out)
	return out, nil
}

func sortProviders(ps []Provider) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
}

func newestMirrored(dir, src, constraint string) (string, error) {
	var cs goversion.Constraints
	if constraint != "" {
		var err error
		if cs, err = goversion.NewConstraint(constraint); err != nil {
			return "", fmt.Errorf("provider %s: version constraint %q: %w", src, constraint, err)
		}
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	typ := src[strings.LastIndex(src, "/")+1:]
	entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(src)))
	if err != nil && !os.IsNotExist(err) {
		return "", fmt.Errorf("reading the provider mirror: %w", err)
	}
	var best *goversion.Version
	for _, e := range entries {
		raw := e.Name()
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(src), raw, platform)); err != nil {
				continue
			}
		} else {
			rest, ok := strings.CutPrefix(raw, "terraform-provider-"+typ+"_")
			if raw, ok = strings.CutSuffix(rest, "_"+platform+".zip"); !ok {
				continue
			}
		}
		v, err := goversion.NewVersion(raw)
		if err != nil || (cs != nil && !cs.Check(v)) {
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best = v
		}
	}
	if best == nil {
		return "", nil
	}
	return best.Original(), nil
}
