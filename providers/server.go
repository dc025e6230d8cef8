package providers

import (
	"context"
	"fmt"
	"runtime"

	"github.com/cloudoven/cloudoven/runner"
)

// Server is the cache as the server uses it: the packages of a run (Packages), the
// directory the editor's provider check installs from (Mirror), the lock file of an
// "upgrade providers" (Upgrade), and the providers page (List, Remove).
type Server struct {
	Cache *Cache
	// Volumes, when set, are where the Docker executor's runs read packages; nil: runs read
	// them from the cache directory itself (the local executor).
	Volumes *Volumes
	// Platform is the platform runs execute on (the Docker daemon's), asked when a run
	// needs it; nil: this host's.
	Platform func(ctx context.Context) (string, error)
}

// HostPlatform is this host's platform as provider packages name it: the editor's check runs
// the host's terraform, and the local executor's runs too.
func HostPlatform() string { return runtime.GOOS + "_" + runtime.GOARCH }

func (s *Server) runPlatform(ctx context.Context) (string, error) {
	if s.Platform == nil {
		return HostPlatform(), nil
	}
	return s.Platform(ctx)
}

// ensure installs what files require (with the lock file among them, the versions it
// records, checked against its hashes) for platform.
func (s *Server) ensure(ctx context.Context, files map[string][]byte, platform string) ([]Package, error) {
	reqs, err := Requirements(files)
	if err != nil {
		return nil, err
	}
	var lock Lock
	if b := files[LockFileName]; b != nil {
		if lock, err = ParseLock(b); err != nil {
			return nil, err
		}
	}
	return s.Cache.Ensure(ctx, reqs, lock, []string{platform})
}

// Packages installs into the cache what a run's files need (once, whoever else asks at the
// same time) and returns the packages its job reads: never nil, so the job reads providers
// from them alone.
func (s *Server) Packages(ctx context.Context, files map[string][]byte) ([]runner.ProviderPackage, error) {
	platform, err := s.runPlatform(ctx)
	if err != nil {
		return nil, err
	}
	pkgs, err := s.ensure(ctx, files, platform)
	if err != nil {
		return nil, fmt.Errorf("installing the run's providers: %w", err)
	}
	if s.Volumes != nil {
		out, err := s.Volumes.Ensure(ctx, pkgs)
		if err != nil {
			return nil, fmt.Errorf("preparing the run's provider volumes: %w", err)
		}
		if out == nil {
			out = []runner.ProviderPackage{}
		}
		return out, nil
	}
	out := make([]runner.ProviderPackage, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, runner.ProviderPackage{Path: p.Path(), Dir: p.Dir})
	}
	return out, nil
}

// Mirror installs what files need for this host and returns the cache directory, which is a
// filesystem mirror in terraform's unpacked layout (its own bookkeeping sits under a
// directory terraform skips, not being a host name). It is providercheck's Mirror.
func (s *Server) Mirror(ctx context.Context, files map[string][]byte) (string, error) {
	if _, err := s.ensure(ctx, files, HostPlatform()); err != nil {
		return "", err
	}
	return s.Cache.Dir(), nil
}

// Upgrade is the lock file of the newest versions the constraints of files allow, for the
// runs' platform and this host's (where the editor's check runs), installed into the cache.
// current, the deployment's lock file (nil: none), must read.
func (s *Server) Upgrade(ctx context.Context, files map[string][]byte, current []byte) ([]byte, error) {
	reqs, err := Requirements(files)
	if err != nil {
		return nil, err
	}
	var lock Lock
	if current != nil {
		if lock, err = ParseLock(current); err != nil {
			return nil, fmt.Errorf("the deployment's lock file: %w", err)
		}
	}
	platform, err := s.runPlatform(ctx)
	if err != nil {
		return nil, err
	}
	platforms := []string{platform}
	if host := HostPlatform(); host != platform {
		platforms = append(platforms, host)
	}
	next, err := s.Cache.LockFor(ctx, reqs, lock, platforms, true)
	if err != nil {
		return nil, err
	}
	return next.Bytes(), nil
}

// List is the cache's packages.
func (s *Server) List(ctx context.Context) ([]Package, error) { return s.Cache.List(ctx) }

// Remove removes a package from the cache, and its Docker volumes when runs read volumes.
func (s *Server) Remove(ctx context.Context, source, version, platform string) error {
	if s.Volumes != nil {
		return s.Volumes.Remove(ctx, source, version, platform)
	}
	return s.Cache.Remove(ctx, source, version, platform)
}
