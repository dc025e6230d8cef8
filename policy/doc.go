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
// It is not validation against provider schemas (blueprint.Validate) and not a plan-time
// policy engine such as OPA or Sentinel.
//
// Start with Check in check.go and the rule list in rules.go (Describe says in words what
// each rule checks); each rule lives in the file named after its concern (network.go,
// tags.go, containers.go, helm.go).
package policy
