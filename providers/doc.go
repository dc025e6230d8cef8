// Package providers is CloudOven's provider cache: every provider package a run or a check
// needs is installed once, by the server, into a directory it owns, and every run reads it
// from there, read-only, as a filesystem mirror. Nothing a run does downloads a provider.
//
// A package is one provider version for one platform, unpacked in the layout terraform's
// filesystem mirrors and plugin caches share:
//
//	<dir>/registry.terraform.io/hashicorp/azurerm/4.57.0/linux_amd64/terraform-provider-azurerm_v4.57.0_x5
//
// What the cache knows besides the files lives in <dir>/.cloudoven: a metadata file per
// package (written last: a package exists once it is there), the staging area installs
// unpack into, the lock files, and the records of filled Docker volumes.
//
// Start reading at types.go (Requirement, Package), then cache.go (Cache: Open, List,
// Remove), ensure.go (Ensure: the lock's version, else the newest cached one, else an
// install; once, under a lock per provider and platform that is both a mutex and an flock,
// flock.go, so two servers on one directory install a package once), install.go (how a
// package gets in: from the registries through the host's `terraform providers mirror`,
// which checks the registry's signature, or from an operator's mirror directory read as
// terraform reads one, mirror.go; then unpacked with bounds, unpack.go, hashed as terraform
// hashes, and renamed into place so nothing half-installed is ever seen), lockfor.go (the
// lock file a deployment should have, kept or upgraded), requirements.go (the providers a
// root module's files require), and volume.go (the Docker volumes runs mount: one per
// package, filled by the server).
//
// It is not the lock file's keeper (package store keeps a deployment's
// .terraform.lock.hcl) and not the run (package runs asks Ensure before each stage).
package providers
