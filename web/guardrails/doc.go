// Package guardrails is the web feature of a project's guardrail rules page: the rules in
// force with what each checks, and the rule file that project admins edit (checked with
// policy.ParseRules before it is stored).
//
// The rules and their checks are package policy; which findings block a plan is package
// deployment's. Start with rules.go.
package guardrails
