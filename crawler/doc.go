// Package crawler fills the catalog: it resolves provider versions from a registry, extracts
// schemas with terraform-exec (Init + ProvidersSchema), fetches and parses the registry's doc
// pages, and writes them with catalog.Write. It depends on package catalog only.
//
// Until the crawler lands, the committed catalog is built by `make catalog` from dumped
// schemas with `cloudoven catalog add`.
package crawler
