// Package upgrade imports Terraform written for an older provider version: it keeps
// everything the catalog's schemas still accept and holds the rest as items to fix, each
// with the upgrade guide's entry that says what replaced it, instead of refusing the whole
// configuration.
//
// Import (import.go) first walks the configuration against the catalog (hold.go): a
// resource or data source of a type its provider no longer has, and an argument or block a
// schema no longer has, is held, with its HCL text, file and line, when a guide says what
// became of it or the configuration pins a provider version the catalog's does not meet
// (versions.go); any other unknown name is a typo, left to validation's did-you-mean; so is whatever refers to
// something held, and a resource that still fails validation only because the current
// schema requires what the old configuration does not set. What is left goes through
// blueprint.Import and blueprint.Validate unchanged, so any other error still refuses the
// import as it always has. Held items are not generated: the generated files are exactly
// what runs, and the items live in the Report kept beside the blueprint with the original
// configuration, until they are fixed.
//
// ApplyRenames (renames.go) rewrites the mechanical renames (a type or argument the guide
// renamed, whose replacement the current schema has and the configuration's content fits)
// in the original files with hclwrite, keeping values and comments; importing the result
// again leaves only the checklist. WriteReport (print.go) prints a Report for the CLI.
//
// It imports blueprint, catalog and hcllimit, and nothing of the web layer or the store.
package upgrade
