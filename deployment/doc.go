// Package deployment is a deployment resolved into the exact files a run uses, with its
// checks: the blueprint version and the environment validated together against the catalog,
// the Terraform generated with one header (and the blueprint's files beside it, each file
// the configuration reads without having it a warning), and the project's guardrails checked with the
// environment's allowed registries and its blocking setting. The deployment page, its zip,
// the run service's preparer and the CLI's generate and validate all resolve through here,
// so what a page shows is what a run receives.
//
// Which runs the checks refuse lives here too: Verdict.Err (plans) and Verdict.RunErr
// (destroys and applies) return a *BlockedError, which the run service refuses the run with
// and the web shows. A provider the project does not allow, and a finding of a rule that
// blocks whatever the environment says (policy.Blocks), refuse every run; the other findings
// refuse plans where the environment makes findings block.
//
// So does the rule "a run whose state would be thrown away is refused": StateKeepingOf says
// who keeps a deployment's state (CloudOven's own backend, a remote backend, or nothing, for
// a local backend or none, whose state dies with the run's workspace), and StateKeeping.Err
// returns a *StateLossError for the last, which the run service refuses a plan or destroy
// with and the deployment page shows.
//
// It is not the model, the validator or the generator (package blueprint), not the rule
// checks (package policy), and it never runs anything (package runs) nor reads secret
// values: a Resolver reads secret names only, since validation asks which secrets are set
// and the generator never writes one.
//
// Start with Inputs and Resolve in resolve.go (the core, which needs no store: the CLI calls
// it), then Resolver in resolver.go (the same from the store, by deployment id), Checks in
// checks.go (what a project's blueprints are checked with: its rules, the provider sources it
// allows, its deployments' state addresses; the editor and the import use them too), Verdict
// and BlockedError in guardrails.go, StateKeeping and StateLossError in state.go, and
// ParseEnvironment and Rules for what the store keeps.
package deployment
