package runner

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
