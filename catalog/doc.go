// Package catalog is the catalog: the provider schemas and docs that every form, hint and
// validation in CloudOven stands on.
//
// On disk the catalog is one directory per provider version,
// <source>/<version>/schema.<hash>.json (.json.gz when large) holding terraform-json
// ProviderSchemas for that one provider, an optional docs.<hash>.json (see Docs), and index.json at
// the root listing every provider version with its counts and content hashes. The default
// catalog is embedded in the binary (Embedded); Load reads any fs.FS with the same layout.
//
// Pack packs a directory's catalog (its newest versions) into one gzipped tar and Install
// writes one into another directory, checked file by file against the index's hashes
// (pack.go): how a catalog crawled on one replica of a server reaches the others.
//
// Docs also keep the entries of the provider's upgrade guides (upgrades.go): what older
// versions had and this one removed or renamed, with the replacement and the guide's
// sentence.
//
// It is not the crawler (package crawler fills it) and knows nothing of blueprints.
// Search (search.go) also knows what people type: the aliases of aliases.txt (aks, vnet,
// nsg…, from Microsoft's recommended abbreviations for Azure resource types) and the
// initials of type names (alias.go).
//
// Start with Catalog in catalog.go, then search.go.
package catalog
