// Package policy is CloudOven's guardrails: rules checked against a blueprint before any plan
// runs, and shown in the editor next to the resource they concern. A project keeps its rules
// as a small JSON file (ParseRules); DefaultRules is what a project starts with.
//
// Rules look at the blueprint as written, never at a plan: a literal value is checked, while
// a value that comes from a variable, a resource attribute or a function call is something
// the rule "cannot tell" and it stays silent rather than guess. Each rule's file documents
// what it can and cannot see. A value nested deeper than package hcllimit allows is one no
// rule can see into.
//
// The exception is the rules that Blocks: they catch constructs that run a program or send
// data out during the plan itself (external and http data sources, terraform_remote_state
// that reads anything but the project's own deployments, exec in a provider configuration).
// For them a value that cannot be known is a finding, and their findings refuse every plan
// whatever the environment says, until the blueprint changes or a project admin allows the
// address in the rule file. Provisioners are not among them: a blueprint cannot hold one
// (blueprint.Validate refuses the block, and its blocks carry no type label). A module call
// is checked for all of these (modules.go): a local module its files, a module fetched by
// terraform init not at all, which for these rules is a finding.
//
// It also holds the provider allow-list's check (providers.go): a source neither the catalog
// nor the project allows is an error (DisallowedProviders, CheckProviders), and
// ParseProviderSource reads the sources project admins allow.
//
// It is not validation against provider schemas (blueprint.Validate) and not a plan-time
// policy engine such as OPA or Sentinel.
//
// Start with Check in check.go and the rule list in rules.go (Describe says in words what
// each rule checks); each rule lives in the file named after its concern (network.go,
// tags.go, containers.go, helm.go, constructs.go, remotestate.go, modules.go).
package policy
