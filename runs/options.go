package runs

import (
	"context"
	"log/slog"
	"time"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

// Store is the persistence the Service needs; *store.Store has it.
type Store interface {
	LogStore
	StepStore
	Deployment(ctx context.Context, project string, id int64) (store.Deployment, error)
	CreateRun(ctx context.Context, r store.Run) (store.Run, error)
	Run(ctx context.Context, id string) (store.Run, error)
	TransitionRun(ctx context.Context, id string, tr store.RunTransition) (store.Run, error)
	RunPlan(ctx context.Context, id string) (plan, planJSON []byte, err error)
	RunsInState(ctx context.Context, states ...store.RunState) ([]store.Run, error)
	ClaimRun(ctx context.Context, runner string, lease time.Duration) (store.Run, bool, error)
	RenewRunLeases(ctx context.Context, runner string, ids []string, lease time.Duration) (map[string]store.LeaseRenewal, error)
	RequestRunCancel(ctx context.Context, id, user string) error
	ReapRuns(ctx context.Context, reason string, all bool) ([]store.Run, error)
	StateLock(ctx context.Context, deploymentID int64) (store.StateLock, error)
	BreakStateLock(ctx context.Context, deploymentID int64, lockID string) (store.StateLock, error)
	UnsealedRunPlans(ctx context.Context) ([]string, error)
	SealRunPlan(ctx context.Context, id string, plan, planJSON []byte) error
	ForceUnlockState(ctx context.Context, deploymentID int64) (held store.StateLock, ok bool, err error)
	SetRunProgress(ctx context.Context, runID string, progress []byte) error
	RunProgress(ctx context.Context, runID string) ([]byte, error)
}

// Locks keeps deployments' dependency lock files; *store.Store has it. A plan or destroy
// stage gets the deployment's lock file in its workspace and keeps the one terraform
// leaves there when it only adds to it (lock.go).
type Locks interface {
	DeploymentLock(ctx context.Context, deploymentID int64) (store.DeploymentLock, error)
	SetDeploymentLock(ctx context.Context, l store.DeploymentLock, prev []byte) (store.DeploymentLock, error)
}

// Sealer seals what a run stores that holds secrets, its saved plan and the plan's JSON,
// and opens it again; *secrets.Box has it. Open must fail on bytes sealed with another key,
// another additionalData, or altered.
type Sealer interface {
	Seal(plaintext, additionalData []byte) ([]byte, error)
	Open(sealed, additionalData []byte) ([]byte, error)
}

// Authorizer hands out the credentials a run's terraform uses with
// CloudOven's state backend, valid until revoked. Each stage gets its own,
// scoped to what it does: a plan stage state.ScopePlan, an apply stage
// state.ScopeApply. Issue returns credentials only once every replica
// would accept them, or an error, which ends the stage before it starts;
// a failed Revoke is logged, and the credentials expire on their own.
// *state.StoreAuthorizer and *state.TokenAuthorizer have it.
type Authorizer interface {
	Issue(ctx context.Context, project string, deploymentID int64, runID string, scope state.Scope) (username, password string, err error)
	Revoke(ctx context.Context, runID string) error
}

// Prepared is what a run of a deployment needs, as a PrepareFunc returns it.
type Prepared struct {
	// Files are the generated files by name.
	Files map[string][]byte
	// Env are the environment variables terraform runs with (provider
	// credentials, TF_VAR_ secrets).
	Env map[string]string
	// Secrets are the secret values among Env, redacted from the run's log.
	Secrets []string
	// Image and NetworkMode are the deployment's environment's runner
	// settings; empty leaves Options.Image and Options.NetworkMode.
	Image       string
	NetworkMode string
	// Egress, when set, holds the run to its environment's egress: the
	// executor runs it on a network of its own whose proxy lets through
	// Egress.Allow and the run's state address (the Service fills in
	// Egress.State), and the network modes are not used. Nil is egress
	// open.
	Egress *runner.Egress
	// Verdict is what the project's guardrails say of the deployment as
	// prepared. A plan stage whose verdict refuses it (Verdict.Err), and a
	// destroy's plan stage or an apply that Verdict.RunErr refuses, end
	// before anything runs: the rules, the allowed providers or the
	// environment may have changed while the run waited.
	Verdict deployment.Verdict
	// State says who keeps the state the run writes. A plan or destroy stage whose state
	// would be kept nowhere (State.Err) is refused before anything runs.
	State deployment.StateKeeping
	// Blueprint and Generated are what Files were generated from, and how: the provider
	// check of the plan stage (terraform validate) places its diagnostics on the
	// blueprint's fields with them. nil leaves its diagnostics where terraform put them.
	Blueprint *blueprint.Blueprint
	Generated []blueprint.File
}

// PrepareFunc returns what a run of a deployment needs. It is called again
// for the apply, so rotated credentials (and changed runner settings) are
// picked up.
type PrepareFunc func(ctx context.Context, project string, deploymentID int64) (Prepared, error)

// Guardrails says what a project's guardrails make of a deployment as it
// is now; *deployment.Resolver has it.
type Guardrails interface {
	Guardrails(ctx context.Context, project string, deploymentID int64) (deployment.Verdict, error)
}

// StateCheck says who keeps a deployment's state, from its environment as it is now;
// *deployment.Resolver has it.
type StateCheck interface {
	StateKeeping(ctx context.Context, project string, deploymentID int64) (deployment.StateKeeping, error)
}

// orphanRemover is what an executor may also do: remove the containers (or Jobs) a
// previous process left, but those of the runs keep keeps: the runs other live replicas on
// the same database execute. *runner.Docker and *runner.Kubernetes have it.
type orphanRemover interface {
	RemoveOrphans(ctx context.Context, keep func(runID string) bool) (int, error)
}

// runRemover is what an executor may also do: remove whatever is left of one run, running
// or not, for a replica that finds another replica's run dead (its lease expired) and must
// stop what may still run. Nothing left is not an error. *runner.Docker and
// *runner.Kubernetes have it.
type runRemover interface {
	RemoveRun(ctx context.Context, runID string) error
}

// Options configure a Service.
type Options struct {
	Store    Store
	Executor runner.Executor
	Hub      *Hub
	Prepare  PrepareFunc
	// Sealer seals saved plans and their JSON before they are stored: a saved plan holds
	// the run's variables, TF_VAR_ secrets among them, and its JSON every value of the
	// plan. Required: Start refuses to start without one.
	Sealer Sealer
	// Guardrails, when set, is asked before a plan or destroy is queued:
	// Plan refuses one its verdict refuses. Without it a refused plan is
	// still refused, later, when its stage starts (see Prepared.Verdict).
	Guardrails Guardrails
	// State, when set, is asked before a plan or destroy is queued: Plan refuses a run
	// whose state would be thrown away with its workspace (a local backend, or none).
	// Without it such a run is still refused, later, when its stage starts (see
	// Prepared.State).
	State StateCheck
	// GlobalConcurrency is how many plans and applies this server executes at once
	// across all deployments; 0 means 2. Several servers on one database each execute
	// up to their own GlobalConcurrency.
	GlobalConcurrency int
	// Replica names this server among those sharing the database: the runs it claims
	// carry it. Empty picks a random name at New; a name must be unique among live servers.
	Replica string
	// Lease is how long a claim on a run lasts unless renewed; the server renews its
	// claims every Lease/3 (and reads cancels asked on other servers every
	// PollInterval), and a run whose claim lapsed is marked interrupted, its state lock
	// released, by whichever server notices first. 0 means DefaultLease.
	Lease time.Duration
	// PollInterval is how often the server looks in the store for runs to claim, and for
	// cancels of its runs asked on other servers, besides being woken by its own
	// changes. 0 means DefaultPollInterval.
	PollInterval time.Duration
	// Exclusive says this server is the only one on its database (SQLite): at Start
	// every run left executing belongs to its previous process, and is marked
	// interrupted at once instead of when its lease lapses.
	Exclusive bool
	// Image, NetworkMode, Timeout and Limits go to every job; zero values
	// leave the executor's defaults. A Prepared's Image and NetworkMode,
	// when set, win over Image and NetworkMode for that run.
	Image       string
	NetworkMode string
	Timeout     time.Duration
	Limits      runner.Limits
	// Authorizer issues state credentials per stage of a run
	// (TF_HTTP_USERNAME, TF_HTTP_PASSWORD), revoked when the stage ends;
	// nil issues none.
	Authorizer Authorizer
	// StateURL is the base URL runs reach CloudOven at. When set, runs get
	// TF_HTTP_ADDRESS, TF_HTTP_LOCK_ADDRESS and TF_HTTP_UNLOCK_ADDRESS
	// for the deployment (StateURL/api/v1/state/<project>/<deployment id>,
	// package state's route); an address in the generated backend block
	// wins over them.
	StateURL string
	// Locks, when set, keeps each deployment's .terraform.lock.hcl from one run to the
	// next, so every run installs the provider versions the first one locked; nil: every
	// run computes its own, from the configuration's constraints.
	Locks Locks
	// Providers, when set, installs every provider a stage needs into the server's
	// provider cache (once, whoever else needs it at the same time) and names the packages
	// its job reads them from, and nothing else: no run downloads a provider. nil leaves
	// provider installation to terraform in each run.
	Providers ProviderSource
	Logger    *slog.Logger
}

// ProviderSource gives a stage the provider packages its files need, the lock file among
// them (the versions it records, checked against its hashes); *providers.Server has it.
type ProviderSource interface {
	Packages(ctx context.Context, files map[string][]byte) ([]runner.ProviderPackage, error)
}
