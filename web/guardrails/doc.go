// Package guardrails is the web feature of a project's guardrail rules page: the rules in
// force with what each checks (and whether its findings block every plan), the rule file
// that project admins edit (checked with policy.ParseRules before it is stored), and the
// provider sources the project allows beside the catalog's, which project admins allow and
// take back (checked with policy.ParseProviderSource; both in the audit log).
//
// The rules and their checks are package policy; which findings and providers refuse a run
// is package deployment's. Start with rules.go, then providers.go.
package guardrails
