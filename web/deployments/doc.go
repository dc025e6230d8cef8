// Package deployments is the web feature of a project's deployments: the list and the create
// form, and a deployment's page: exactly the files a run uses (package deployment resolves
// them), their diagnostics and guardrail findings, the zip, promotion to a newer version with
// its diff, and the runs section with Plan and Destroy, who keeps the deployment's state
// (package deployment's StateKeeping: CloudOven's own backend, a remote one, or nothing) and
// the state versions. A plan the guardrails block, or one whose state nothing would keep, is
// refused by the run service itself; this page only shows the refusal.
//
// A run's own page is package runview's. Start with Handlers (handlers.go), then
// deployments.go and runs.go.
package deployments
