package providers

import (
	"path"
	"time"
)

// Requirement is one provider a configuration needs.
type Requirement struct {
	// Source is the provider's full address, host included:
	// registry.terraform.io/hashicorp/azurerm.
	Source string
	// Constraint is a terraform version constraint ("~> 4.0", ">= 1.2, < 2.0"); empty
	// accepts any version.
	Constraint string
}

// Package is one provider version for one platform in the cache.
type Package struct {
	Source   string // registry.terraform.io/hashicorp/azurerm
	Version  string // 4.57.0
	Platform string // linux_amd64
	// Dir is the package's unpacked directory on the server: <cache dir>/<Path()>.
	Dir string
	// Size is the bytes of its files.
	Size int64
	// Hashes are the package's checksums as lock files write them: its h1: (the unpacked
	// directory's) and, when it came as a zip archive, the archive's zh:.
	Hashes []string
	// From says where it was installed from: "registry" or "mirror".
	From        string
	InstalledAt time.Time
}

// Path is the package's place in a filesystem mirror:
// registry.terraform.io/hashicorp/azurerm/4.57.0/linux_amd64.
func (p Package) Path() string { return path.Join(p.Source, p.Version, p.Platform) }
