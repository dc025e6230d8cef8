// Package catalogview is the web feature of the catalog: search grouped by provider and
// subcategory (also the editor's "add" search), each resource and data source type's page
// with its schema and rendered docs, and the crawl status page with its "crawl now" button
// when a crawl service is configured (Crawls).
//
// The catalog itself is package catalog; crawling is package crawler. Start with Handlers
// (handlers.go).
package catalogview
