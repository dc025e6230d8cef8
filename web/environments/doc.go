// Package environments is the web feature of a project's environments: the list, and each
// environment's page, whose sections (variable values typed by a blueprint's variables, the
// remote-state backend, runner settings, secrets) each post to their own URL so saving one
// never touches another. Secrets are write-only here: pages list names, never values. The
// runner section holds the environment's egress (none, allow-list with its hosts, open),
// which blueprint validation checks and package runs enforces; a post without the egress
// fields keeps them, so no old form opens egress by leaving them out.
//
// Start with Handlers (handlers.go), then environments.go.
package environments
