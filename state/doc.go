// Package state makes CloudOven a Terraform state backend: Server speaks
// Terraform's http backend protocol (GET, POST, DELETE, LOCK, UNLOCK) at
// /api/v1/state/<project>/<deployment id>, records every state Terraform
// writes as a store.StateVersion (serial, lineage, SHA-256, output names
// and types, resource count) and keeps the state itself in a BlobStore: a
// local directory (DirStore) or an Azure Storage container (AzureStore).
// Requests carry Basic auth checked by an Authorizer, whose Grant names
// the run and its Scope: StoreAuthorizer issues credentials per stage of a
// run, which the runner hands to terraform, and keeps their hashes in the
// store, so that every replica accepts them and a revoke holds on all at
// once (TokenAuthorizer keeps them in one process's memory, for tests). A plan's (ScopePlan) read the
// state and take and release their own lock; an apply's (ScopeApply) also
// write, under that lock. A lock is the run's that took it, and no
// credential deletes state or forces a lock open: force-unlock is an
// operator's action on the deployment page (runs.Service.ForceUnlock).
// ParseLockInfo reads what Terraform says of a lock.
//
// A Reader reads a stored version back to show it (snapshot.go): bounded
// by MaxShowBytes, checked against its SHA-256, parsed from Terraform's own
// state format (version 4; terraform-json types `terraform show -json`,
// another format) into a Snapshot, whose Outputs and Resources the state
// version page lists, and Compare (diff.go) says what changed from one
// version to another: resource instances and outputs added, removed and
// changed, attribute by attribute. Neither ever shows a value Terraform
// marked sensitive (a sensitive output, a path of sensitive_attributes),
// nor a string that holds one of the state's sensitive strings: Terraform
// does not carry the mark through every provider (terraform_data's output
// copies its input unmarked). Everything they return is bounded (show.go).
//
// It is not the azurerm backend: an environment that keeps state in its
// own storage account talks to Azure directly, and this package only
// creates the container for it beforehand (EnsureContainer). It does not
// decrypt or edit state either.
//
// Start reading at server.go (the protocol, who may do what, and the
// status codes), then auth.go, then blob.go and azure.go; for showing
// state, snapshot.go, show.go and diff.go.
package state
