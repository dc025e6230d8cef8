// Package projects is the web feature of the project list (only the projects the user is a
// member of; whoever creates a project becomes its admin) and a project's members page.
// Adding a name that is not a user's gets an answer that does not say so, so that project
// admins cannot list CloudOven's users; the global audit log counts such attempts.
//
// A project's own page lists its blueprints and lives in package blueprints. Start with
// Handlers (handlers.go).
package projects
