// Package environments is the web feature of a project's environments: the list, and each
// environment's page, whose sections (variable values typed by a blueprint's variables, the
// remote-state backend, runner settings, secrets) each post to their own URL so saving one
// never touches another. Secrets are write-only here: pages list names, never values. The
// runner section holds the environment's egress (none, allow-list with its hosts, open),
// which blueprint validation checks and package runs enforces; a post without the egress
// fields keeps them, so no old form opens egress by leaving them out.
//
// The page is one disclosure per section (summary.go): the values open, the others closed to
// a line that says what they hold, opened when they need attention or were just used. Values
// are typed by the variable rule of package blueprint (ParseVariableValue), the one variable
// defaults follow in the editor; a value it refuses is a 422 with the message on its field and
// every typed value kept, and each field says what it holds (set here, the default, a secret).
//
// Start with Handlers (handlers.go), then environments.go and variables.go.
package environments
