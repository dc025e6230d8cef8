// Package egress is what holds a run's network in: the grammar of an environment's egress
// allow-list (rule.go: host names, *.domain wildcards and IPv4 addresses, each optionally with
// a port) and the proxy that enforces it (proxy.go, served by serve.go).
//
// The proxy runs in its own hardened container beside a run's steps (package runner starts
// it; cmd/cloudoven-egress is its binary, built into its own image by `make egress-image`).
// It tunnels CONNECT (https) and forwards plain http:// requests to the hosts the Policy
// allows and to the run's address in CloudOven's state backend, and refuses everything else
// with 403 and one line in the run's log. The steps' network has no other way out, so the
// proxy is not advice to well-behaved clients: a provider that ignores HTTPS_PROXY reaches
// nothing.
//
// Not here: which hosts an environment allows (blueprint.RunnerSettings, validated with
// ParseRule), and the Docker networks and containers (package runner).
package egress
