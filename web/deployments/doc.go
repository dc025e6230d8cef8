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
// A run's own page is package runview's. Start with Handlers (handlers.go), then
// deployments.go, runs.go and statelock.go.
package deployments
