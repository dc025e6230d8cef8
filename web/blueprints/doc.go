// Package blueprints is the web feature of a project's blueprints: the project page (the
// blueprint list, "New blueprint" and the import form), the import of blueprint documents and
// Terraform (through package tfsource), and a blueprint's pages: a version's generated files
// and diagnostics, the diff between two versions, the dependency graph as SVG, and the zip
// and document downloads. Diagnostics include an error on each provider source the project
// does not allow (a Checker gives the project's checks), so an import of such a blueprint is
// refused like one with validation errors. Terraform goes through blueprint.Import, then
// blueprint.Complete (implied providers made explicit), then validation; its notes are
// listed beside what would be left out but never ask the user to import anyway.
//
// Terraform written for an older provider version imports through package upgrade: what the
// catalog no longer has is held back, kept beside the blueprint with the configuration read
// (store.BlueprintUpgrade), and the import lands on the upgrade report (upgrade.go): each held
// item with its replacement and the guide section, "Apply N renames", and the configuration
// to fix and import again. The blueprint page links the report while items remain.
//
// Editing a blueprint is package editor's. Start with Handlers (handlers.go), then
// blueprint.go and import.go.
package blueprints
