// Package runs is the life of a run: a plan of a deployment, queued behind
// the deployment's active run and a global concurrency limit, executed by a
// runner.Executor, saved with its plan file, plan JSON and Summary, then
// approved and applied (exactly that saved plan), or discarded, canceled,
// errored or interrupted by a restart.
//
// A saved plan holds the run's variables, TF_VAR_ secrets among them, and its
// JSON every value of the plan: both are sealed by Options.Sealer (the
// secrets package's Box) before the store sees them, bound to their run, and
// opened only to apply (seal.go). Start seals those an older build stored in
// the clear.
//
// Output streams line by line through a Redactor into the Hub: secret
// values, and the encodings a configuration or a provider prints them in
// (encodings.go), never reach the store or a follower, nor the plan JSON.
// The Hub stores the lines in batches and fans them out to followers: a
// follower that reconnects with
// the last Seq it saw gets the rest without gap or repeat, which is what an
// SSE handler with Last-Event-ID needs. Terraform's machine-readable UI
// lines are logged as their human message and drive a Progress.
//
// It is not the web layer (no pages or handlers: those declare the few
// Service methods they call), not the executor (package runner), and not
// the state backend (it only asks an Authorizer for per-run credentials).
// It does not generate Terraform or check guardrails: package deployment
// resolves a deployment into its files and its guardrails' verdict, and
// NewPreparer is the PrepareFunc built on it. A plan whose verdict blocks is
// refused twice over: by Plan before anything is queued (Options.Guardrails)
// and when its stage starts (Prepared.Verdict).
//
// Start reading at service.go (Service, Plan), then queue.go and stage.go
// (the stages), then hub.go.
package runs
