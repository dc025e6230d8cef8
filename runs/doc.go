// Package runs is the life of a run: a plan of a deployment, queued behind
// the deployment's active run and a global concurrency limit, executed by a
// runner.Executor, saved with its plan file, plan JSON and Summary, then
// approved and applied (exactly that saved plan), or discarded, canceled,
// errored or interrupted by a restart. A plan with no changes (outputs
// count as changes) ends discarded by itself and frees its deployment
// (nochanges.go).
//
// A saved plan holds the run's variables, TF_VAR_ secrets among them, and its
// JSON every value of the plan: both are sealed by Options.Sealer (the
// secrets package's Box) before the store sees them, bound to their run, and
// opened only to apply (seal.go). Start seals those an older build stored in
// the clear.
//
// What a plan changes, attribute by attribute, is a Diff (diff.go): read from the plan JSON
// when the run page asks (Service.PlanDiff, plandiff.go), never stored, since it holds the
// plan's values; values terraform marks sensitive are never read into it.
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
// A run's timeline is its steps (timeline.go): plan.init, plan.check, plan.plan (its show
// included), apply.init, apply.apply, each recorded with the store as the executor starts
// it (runner.Job.Started) and when the job ends, with the exact start times the executor's
// Result gives. terraform's errors and warnings (diagnostics.go) are kept with the run
// apart from its log, redacted as it is and placed on the blueprint's field where the
// generator's source map knows the line: those of plan's and apply's machine-readable UI,
// those init prints as text, and the providers' check's.
//
// Each stage gets its own state credentials from an Authorizer, scoped to
// what it does (a plan stage state.ScopePlan, an apply stage
// state.ScopeApply) and revoked when it ends. A lock a stage's terraform
// left behind stays until an operator releases it with ForceUnlock
// (statelock.go), which refuses while the run holding it executes; a
// restart releases the locks of the runs it interrupts.
//
// It is not the web layer (no pages or handlers: those declare the few
// Service methods they call), not the executor (package runner), and not
// the state backend (package state; it only asks an Authorizer for
// credentials).
// It does not generate Terraform or check guardrails: package deployment
// resolves a deployment into its files and its guardrails' verdict, and
// NewPreparer is the PrepareFunc built on it. A plan whose verdict refuses it
// (deployment.Verdict.Err) is refused twice over: by Plan before anything is
// queued (Options.Guardrails) and when its stage starts (Prepared.Verdict).
// A destroy, and the apply of a saved plan, are refused the same way for what
// refuses every run (Verdict.RunErr: a provider the project does not allow,
// a construct that runs a program or sends data out), since they run the
// same provider and data source code.
//
// An environment's egress (none or allow-list; open is what the network mode
// reaches) becomes the jobs' runner.Egress (NewPreparer, then Service.job),
// with the deployment's address in CloudOven's state backend the one place
// a held-in run always reaches.
//
// A plan or destroy whose state nothing would keep (a local backend, or
// none: the state would be written into the run's workspace, which the
// runner removes) is refused by Plan (Options.State) and when its stage
// starts (Prepared.State).
//
// A deployment's .terraform.lock.hcl is kept from run to run (Options.Locks, lock.go): a
// plan or destroy stage gets it beside the generated files and keeps what its init leaves
// when that is the first, or only adds to it; a locked version changes only by an "upgrade
// providers", never by a run.
//
// Start reading at service.go (Service, Plan), then queue.go and stage.go
// (the stages), then hub.go.
package runs
