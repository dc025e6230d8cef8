// Package registrytest is a local stand-in for the Terraform Registry: an httptest server
// that answers the endpoints the crawler uses (see ../shared/REGISTRY.md) from real provider
// docs on disk, in the registry's own JSON shapes, and lets a test break it on purpose:
// failing statuses, Retry-After, slow answers, malformed or truncated bodies.
//
// It is not a full registry: only the hashicorp namespace, no downloads, no search.
// Start reading at NewServer; the fault knobs are in fault.go.
package registrytest
