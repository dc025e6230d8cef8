// Package deployments is the web feature of a project's deployments: the list and the create
// form, and a deployment's page: exactly the files a run uses (package deployment resolves
// them), their diagnostics and guardrail findings, the zip, promotion to a newer version with
// its diff, and the runs section with Plan and Destroy, who keeps the deployment's state
// (package deployment's StateKeeping: CloudOven's own backend, a remote one, or nothing), the
// state versions and the state lock with the run that holds it, which an operator can
// force-unlock (audited), and the deployment's lock file with "Upgrade providers", whose
// candidate waits, shown as a diff, until an operator uses or discards it (locks.go). A plan or destroy the guardrails refuse (a provider the project
// does not allow, a finding that blocks every plan, or any finding where the environment
// says so), or one whose state nothing would keep, is refused by the run service itself, and
// so is a force-unlock under a run that still executes; this page only says so beforehand
// and shows the refusals. Destroy asks for the deployment's name ("blueprint → environment",
// typed with "->" if need be) and the server checks it before asking for the run (destroy.go).
//
// Each state version has a page (stateversion.go): what was recorded when it was written
// (serial, lineage, the run that wrote it, size, SHA-256) and, read from its state file in
// CloudOven's state store (package state's Reader, bounded), its outputs and resources; and
// two versions compare (statecompare.go): resources and outputs added, removed and changed,
// attribute by attribute (state.Compare). The pages need the role the deployment page
// needs, viewer. A viewer sees the values of outputs and attributes that are not
// sensitive, as HCP Terraform shows non-sensitive outputs to whoever reads the workspace:
// they are what other configurations read through terraform_remote_state, and a value a
// user wants kept from viewers is marked sensitive. Sensitive values are shown to nobody,
// whatever the role: not the value of a sensitive output, not one at a path terraform
// marked sensitive (sensitive_attributes), and not any other string of the state that
// holds one of those (terraform_data copies its input to its output unmarked) or one of
// the environment's secret values (a TF_VAR_ secret need not meet a sensitive variable). A state
// file that is missing, unreadable or over the size read (state.MaxShowBytes) leaves the
// page with what the store recorded and a sentence saying why.
//
// A run's own page is package runview's. Start with Handlers (handlers.go), then
// deployments.go, runs.go, statelock.go and stateversion.go.
package deployments
