// Package starters holds CloudOven's starter blueprints: small, readable Terraform
// configurations drawn from real Azure and AKS setups (an AKS baseline, an Application
// Gateway WAF in front of it, PostgreSQL with its password in Key Vault, Service Bus and
// Event Hubs, the usual Helm add-ons, and a remote-state bootstrap).
//
// Each starter is a directory of .tf files embedded in the binary and turned into a
// blueprint with blueprint.Import, so what a user starts from is exactly what a person
// would write by hand. The package is not a module registry and does not run terraform.
//
// Start with List and Blueprint in starters.go; the configurations are in the directories
// named after the starters' IDs.
package starters
