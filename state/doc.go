// Package state makes CloudOven a Terraform state backend: Server speaks
// Terraform's http backend protocol (GET, POST, DELETE, LOCK, UNLOCK) at
// /api/v1/state/<project>/<deployment id>, records every state Terraform
// writes as a store.StateVersion (serial, lineage, SHA-256, output names
// and types, resource count) and keeps the state itself in a BlobStore: a
// local directory (DirStore) or an Azure Storage container (AzureStore).
// Requests carry Basic auth checked by an Authorizer, whose Grant names
// the run and its Scope: TokenAuthorizer issues credentials per stage of a
// run, which the runner hands to terraform. A plan's (ScopePlan) read the
// state and take and release their own lock; an apply's (ScopeApply) also
// write, under that lock. A lock is the run's that took it, and no
// credential deletes state or forces a lock open: force-unlock is an
// operator's action on the deployment page (runs.Service.ForceUnlock).
// ParseLockInfo reads what Terraform says of a lock.
//
// It is not the azurerm backend: an environment that keeps state in its
// own storage account talks to Azure directly, and this package only
// creates the container for it beforehand (EnsureContainer). It does not
// decrypt, edit or render state either; the web package shows versions
// from the store.
//
// Start reading at server.go (the protocol, who may do what, and the
// status codes), then auth.go, then blob.go and azure.go.
package state
