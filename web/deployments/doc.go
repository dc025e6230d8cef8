// Package deployments is the web feature of a project's deployments: the list and the create
// form, and a deployment's page: exactly the files a run uses (package deployment resolves
// them), their diagnostics and guardrail findings, the zip, promotion to a newer version with
// its diff, and the runs section with Plan and Destroy. A plan or destroy the guardrails
// refuse (a provider the project does not allow, a finding that blocks every plan, or any
// finding where the environment says so) is refused by the run service itself; this page
// only says so beforehand and shows the refusal.
//
// A run's own page is package runview's. Start with Handlers (handlers.go), then
// deployments.go and runs.go.
package deployments
