// Package blueprint is CloudOven's domain model and its Terraform generator: blueprints
// (required providers, provider configurations, resources, data sources, variables, locals,
// outputs, module calls with the files of the local modules they call), environments and
// deployments; their stable JSON document form; validation
// against the catalog; deterministic HCL generation with hclwrite; the line diff of two
// generations' files; and the zip archive.
//
// A blueprint also keeps the files its configuration reads with file(), templatefile() and
// the like (BlueprintFile, files.go: paths relative to main.tf's folder, UTF-8 text, with
// count and size limits); Import finds them (FileReads, import_files.go) and Generate writes
// them beside main.tf. A path out of the configuration's folder is refused at every step.
//
// A variable's value typed by a person, an environment's value or a variable's default, is
// read by one rule (ParseVariableValue, variable_value.go): for a string variable the text
// is the string itself and quotes are read once, for other types it is an HCL literal
// checked against the type; FormatVariableValue shows a value so that it reads back the same.
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
// catalog; an unknown name's did-you-mean prefers what the provider's upgrade guides renamed
// it to, validate_upgrades.go) and generate.go (HCL); diff.go compares what two versions
// generate (with go-udiff), for the version diff and the promote preview, and replace.go
// which of the resources that change a change replaces (Replacements, from the docs'
// forces_new rules). Module calls have files of their own: module.go (the model and what a
// source is), import_module.go (the calls, and which subfolders' files travel with the
// blueprint), validate_module.go, generate_module.go.
//
// Where an argument goes that the editor sets on a body is order.go's rule (Placement): an
// argument cleared and set again comes back where the draft's base version had it, a new
// one goes in schema order (required first, then as the type's doc example writes them,
// SchemaOrder and ExampleOrder), so the generated text never depends on the order of edits.
//
// Importing Terraform is Import (import*.go: the files' text alone; import_legacy.go
// converts Terraform 0.11 syntax), then Complete (import_complete.go: what Terraform implies
// and a blueprint states, such as required_providers, from the catalog), then Validate. Both
// follow Terraform's own judgement: what terraform validate accepts imports with no error
// (a literal Terraform converts, a configuration without provider blocks, an output a plan
// would refuse are notes or warnings), and what it refuses is an error.
package blueprint
