// Package environments is the web feature of a project's environments: the list, and each
// environment's page, whose sections (variable values typed by a blueprint's variables, the
// remote-state backend, runner settings, secrets) each post to their own URL so saving one
// never touches another. Secrets are write-only here: pages list names, never values.
//
// Start with Handlers (handlers.go), then environments.go.
package environments
