// Package runner will run deployments: plan, approve and apply inside hardened Docker
// containers, with live log streaming and CloudOven's own state backend. It depends on
// blueprint, never on web or store.
package runner
