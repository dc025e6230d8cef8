// Package testregistry is a real Terraform provider registry for tests: an HTTPS server
// (httptest, with its own certificate, which terraform trusts through SSL_CERT_FILE) that
// answers terraform's service discovery and the provider registry protocol (versions, then
// one download per platform with SHA256SUMS and a detached OpenPGP signature made with a key
// generated when the registry starts). The packages it serves are built from source in the
// test (BuildProvider builds crawler/internal/testprovider), so terraform installs, checks
// and runs a real provider binary with no network beyond loopback.
//
// Provider addresses name the server by its loopback address and port
// (127.0.0.1:43121/cloudoven/testprov): terraform accepts a port in a provider's hostname.
//
// Start at registry.go (New, Registry). It is not a mirror (that is a directory) and never
// a stand-in for registry.terraform.io: only the addresses it prints resolve to it.
package testregistry
