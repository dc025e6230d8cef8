// Package blueprint is CloudOven's domain model and its Terraform generator: blueprints
// (required providers, provider configurations, resources, data sources, variables, locals,
// outputs), environments and deployments; their stable JSON document form; validation
// against the catalog; deterministic HCL generation with hclwrite; the line diff of two
// generations' files; and the zip archive.
//
// An environment's RunnerSettings say how its runs execute, egress included (none,
// allow-list, open: runner.go; the allow-list's grammar is package egress's).
//
// It is not persistence (package store) nor the web layer, and it never runs terraform.
//
// Input is bounded before it is parsed, since the parsers and the walks over what they build
// recurse and a Go stack overflow cannot be recovered: documents by size and JSON nesting
// (MaxDocumentSize, MaxDocumentNesting in document.go), and every HCL text, whether an
// imported file or one value, by package hcllimit, in Import and in parseExpr and parseRef
// (traversal.go), which every other parse goes through.
//
// Validation also checks literal values against the rules the catalog mined from the
// provider's docs (validate_rules.go, validate_rules_cross.go): enumerations, ranges,
// lengths, allowed characters and the rules between arguments, each finding quoting the
// docs' sentence; values known only at plan are never flagged.
//
// Start with Blueprint in blueprint.go and Value in value.go, then document.go (the JSON
// form; jsonnode.go reads each value's JSON once), validate.go (diagnostics against the
// catalog) and generate.go (HCL); diff.go compares what two versions generate (with
// go-udiff), for the version diff and the promote preview.
package blueprint
