// Package providers is CloudOven's provider cache: every provider package a run or a check
// needs is installed once, by the server, into a directory it owns, and every run reads it
// from there, read-only, as a filesystem mirror. Nothing a run does downloads a provider.
//
// A package is one provider version for one platform, unpacked in the layout terraform's
// filesystem mirrors and plugin caches share:
//
//	<dir>/registry.terraform.io/hashicorp/azurerm/4.57.0/linux_amd64/terraform-provider-azurerm_v4.57.0_x5
//
// Start reading at types.go (Requirement, Package), then cache.go (Cache: Ensure installs
// what is missing, once, under a lock; List, Remove), install.go (how a package gets in:
// from the registries or from an operator's mirror directory, through the host's terraform,
// checked, then renamed into place so nothing half-installed is ever seen), and volume.go
// (the Docker volumes runs mount: one per package, filled by the server).
//
// It is not the lock file's keeper (package store keeps a deployment's
// .terraform.lock.hcl) and not the run (package runs asks Ensure before each stage).
package providers
