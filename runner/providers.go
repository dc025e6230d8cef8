package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ProviderPackage is one unpacked provider package a job's terraform installs from,
// read-only (package providers keeps them). A job with Providers (non-nil, even empty) gets
// a CLI configuration whose provider_installation is a filesystem mirror of exactly those
// packages and nothing else: terraform downloads no provider, and a provider the job lacks
// fails its init saying so.
type ProviderPackage struct {
	// Path is the package's place in a filesystem mirror:
	// registry.terraform.io/hashicorp/azurerm/4.57.0/linux_amd64.
	Path string
	// Volume is the Docker volume holding the package's files at its root (the Docker
	// executor mounts it read-only at /providers/<Path>).
	Volume string
	// Dir is the server directory holding them (the local executor's mirror links to it).
	Dir string
}

const (
	// providersDir is where the Docker executor mounts a job's provider packages, each at
	// its Path: terraform's filesystem mirror.
	providersDir = "/providers"
	// cliConfigName is the terraform CLI configuration written into the workspace of a
	// Docker job with Providers; TF_CLI_CONFIG_FILE points at it.
	cliConfigName = ".cloudoven.tfrc"
	// maxProviders bounds a job's packages (a mount, or a link, each).
	maxProviders = 64
)

// checkProviders accepts packages whose Paths are clean, relative, exactly
// host/namespace/type/version/os_arch and distinct, and a job environment that leaves
// TF_CLI_CONFIG_FILE to the executor.
func checkProviders(pkgs []ProviderPackage, env map[string]string) error {
	if _, ok := env["TF_CLI_CONFIG_FILE"]; ok {
		return errors.New("environment variable TF_CLI_CONFIG_FILE is set by the executor when the job has providers")
	}
	if len(pkgs) > maxProviders {
		return fmt.Errorf("%d provider packages: a job may have at most %d", len(pkgs), maxProviders)
	}
	seen := make(map[string]bool, len(pkgs))
	for _, p := range pkgs {
		if err := checkPackagePath(p.Path); err != nil {
			return err
		}
		if seen[p.Path] {
			return fmt.Errorf("provider package %s is listed twice", p.Path)
		}
		seen[p.Path] = true
	}
	return nil
}

func checkPackagePath(p string) error {
	parts := strings.Split(p, "/")
	bad := len(p) > 512 || path.IsAbs(p) || path.Clean(p) != p || len(parts) != 5 ||
		strings.ContainsAny(p, "\\\x00 ")
	for _, part := range parts {
		bad = bad || part == "" || part == "." || part == ".."
	}
	if !bad {
		osArch := strings.Split(parts[4], "_")
		bad = len(osArch) != 2 || osArch[0] == "" || osArch[1] == ""
	}
	if bad {
		return fmt.Errorf("provider package path %q: want host/namespace/type/version/os_arch, e.g. registry.terraform.io/hashicorp/azurerm/4.57.0/linux_amd64", p)
	}
	return nil
}

// cliConfig is the terraform CLI configuration that installs providers from the filesystem
// mirror at dir and from nowhere else: without a direct block nothing is downloaded, and
// terraform asks no registry which versions exist.
func cliConfig(dir string) []byte {
	return []byte(`# Written by CloudOven: providers come from the run's provider packages, and only from them.
provider_installation {
  filesystem_mirror {
    path = "` + dir + `"
  }
}
`)
}

// localMirror builds, in a new temporary directory outside the workspace, a filesystem
// mirror of symbolic links to the packages' directories and a CLI configuration that
// installs from it alone; it returns the configuration's path and a function that removes
// it all.
func localMirror(runID string, pkgs []ProviderPackage) (config string, remove func() error, err error) {
	for _, p := range pkgs {
		if !filepath.IsAbs(p.Dir) {
			return "", nil, fmt.Errorf("provider package %s: directory %q is not an absolute path", p.Path, p.Dir)
		}
		if info, err := os.Stat(p.Dir); err != nil {
			return "", nil, fmt.Errorf("provider package %s: %w", p.Path, err)
		} else if !info.IsDir() {
			return "", nil, fmt.Errorf("provider package %s: %s is not a directory", p.Path, p.Dir)
		}
	}
	dir, err := os.MkdirTemp("", "cloudoven-providers-"+runID+"-")
	if err != nil {
		return "", nil, fmt.Errorf("creating the provider mirror: %w", err)
	}
	remove = func() error { return os.RemoveAll(dir) }
	mirror := filepath.Join(dir, "mirror")
	for _, p := range pkgs {
		link := filepath.Join(mirror, filepath.FromSlash(p.Path))
		if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
			remove()
			return "", nil, fmt.Errorf("creating the provider mirror: %w", err)
		}
		if err := os.Symlink(p.Dir, link); err != nil {
			remove()
			return "", nil, fmt.Errorf("linking provider package %s: %w", p.Path, err)
		}
	}
	if err := os.MkdirAll(mirror, 0o700); err != nil {
		remove()
		return "", nil, fmt.Errorf("creating the provider mirror: %w", err)
	}
	config = filepath.Join(dir, "cloudoven.tfrc")
	if err := os.WriteFile(config, cliConfig(mirror), 0o600); err != nil {
		remove()
		return "", nil, fmt.Errorf("writing the provider mirror's CLI configuration: %w", err)
	}
	return config, remove, nil
}

// Platform is the platform the daemon's containers run, as provider packages name it
// (linux_amd64): the platform of the packages a job's Providers must be.
func (d *Docker) Platform(ctx context.Context) (string, error) {
	info, err := d.cli.Info(ctx)
	if err != nil {
		return "", fmt.Errorf("asking the Docker daemon at %s for its platform: %w", d.Host(), d.apiError(err))
	}
	return PlatformOf(info.OSType, info.Architecture)
}

// PlatformOf names a Docker daemon's OS type and architecture (uname's: x86_64, aarch64) the
// way provider packages do.
func PlatformOf(osType, arch string) (string, error) {
	goarch, ok := map[string]string{"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm", "i686": "386", "i386": "386"}[arch]
	if !ok || osType == "" {
		return "", fmt.Errorf("no provider platform for a daemon on %s/%s", osType, arch)
	}
	return osType + "_" + goarch, nil
}
