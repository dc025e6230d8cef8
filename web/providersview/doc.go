// Package providersview is the web feature of the server's provider cache, for global
// admins: the cached provider packages (source, version, platform, size, hashes) with the
// deployments whose lock files name each, a Remove button per package, and "Prune unused",
// which removes every package no deployment's lock file names.
//
// It is not the cache (package providers installs and removes packages; this package
// declares the two methods it calls, Cache) and not the lock files' keeper (package store;
// a deployment's lock file and its upgrade are package deployments' pages).
//
// Start with Handlers (handlers.go), then providers.go.
package providersview
