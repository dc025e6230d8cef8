// Package projects is the web feature of the project list (only the projects the user is a
// member of; whoever creates a project becomes its admin) and a project's members page.
//
// A project's own page lists its blueprints and lives in package blueprints. Start with
// Handlers (handlers.go).
package projects
