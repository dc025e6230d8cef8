// Package crawler fills the catalog: it resolves provider versions from a registry, extracts
// schemas with terraform-exec (Init + ProvidersSchema), fetches and parses the registry's doc
// pages, and writes them with catalog.Write. It depends on package catalog only.
//
// ParseDoc (docs.go) turns a page into a catalog.Doc: goldmark reads the page's structure,
// its headings and fenced code (docs_markdown.go); the wording, bullets, block intros and
// callouts, is read line by line (docs_bullets.go) and resolved against the schema
// (docs_paths.go).
//
// The provider's guides (the registry's "guides" category, or a docs directory's guides/)
// are read too (guides.go): ParseGuides (guides_parse.go) turns the upgrade guides'
// sentences into catalog.Upgrade entries, each with its guide, section and sentence, and
// reports the sentences that read like an entry but did not parse.
// MineRules (rules.go) reads the rules each argument's prose states into catalog.Rule, each
// with its sentence: enumerations, ranges and defaults (rules_values.go), allowed characters
// (rules_pattern.go), forces-new and the rules between arguments (rules_cross.go). A sentence
// that looks like a rule and does not parse is reported (Unparsed), never guessed; the
// crawl mines every page it parses, and the coverage report (coverage.go,
// coverage_rules.go) counts the rules per kind and lists those sentences.
//
// Service (service.go) runs crawls on demand and on a schedule. Given the database a
// server's replicas share (Shared, share.go), it crawls under a lock held there, so one
// replica crawls at a time, publishes each complete crawl's catalog (catalog.Pack), and
// takes what the others publish (Follow, polled every few seconds).
//
// Until the crawler lands, the committed catalog is built by `make catalog` from dumped
// schemas with `cloudoven catalog add`.
package crawler
