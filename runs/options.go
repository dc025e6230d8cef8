package runs

import (
	"context"
	"log/slog"
	"time"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

// Store is the persistence the Service needs; *store.Store has it.
type Store interface {
	LogStore
	Deployment(ctx context.Context, project string, id int64) (store.Deployment, error)
	CreateRun(ctx context.Context, r store.Run) (store.Run, error)
	TransitionRun(ctx context.Context, id string, tr store.RunTransition) (store.Run, error)
	RunPlan(ctx context.Context, id string) (plan, planJSON []byte, err error)
	RunsInState(ctx context.Context, states ...store.RunState) ([]store.Run, error)
	MarkRunsInterrupted(ctx context.Context, reason string) ([]store.Run, error)
	UnsealedRunPlans(ctx context.Context) ([]string, error)
	SealRunPlan(ctx context.Context, id string, plan, planJSON []byte) error
}

// Sealer seals what a run stores that holds secrets, its saved plan and the plan's JSON,
// and opens it again; *secrets.Box has it. Open must fail on bytes sealed with another key,
// another additionalData, or altered.
type Sealer interface {
	Seal(plaintext, additionalData []byte) ([]byte, error)
	Open(sealed, additionalData []byte) ([]byte, error)
}

// stateUnlocker releases a deployment's state lock; *store.Store implements it.
type stateUnlocker interface {
	ForceUnlockState(ctx context.Context, deploymentID int64) (held store.StateLock, ok bool, err error)
}

// Authorizer hands out the credentials a run's terraform uses with
// CloudOven's state backend, valid until revoked.
type Authorizer interface {
	Issue(project string, deploymentID int64, runID string) (username, password string)
	Revoke(runID string)
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
	// Verdict is what the project's guardrails say of the deployment as
	// prepared. A plan stage (not a destroy's, not an apply's) whose
	// verdict blocks is refused: the rules or the environment may have
	// changed while the run waited in the queue.
	Verdict deployment.Verdict
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

// orphanRemover is what an executor may also do: remove containers a
// previous process left running.
type orphanRemover interface {
	RemoveOrphans(ctx context.Context) (int, error)
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
	// Guardrails, when set, is asked before a plan is queued: Plan refuses
	// one its verdict blocks. Without it a blocked plan is still refused,
	// later, when its stage starts (see Prepared.Verdict).
	Guardrails Guardrails
	// GlobalConcurrency is how many plans and applies execute at once
	// across all deployments; 0 means 2.
	GlobalConcurrency int
	// Image, NetworkMode, Timeout and Limits go to every job; zero values
	// leave the executor's defaults. A Prepared's Image and NetworkMode,
	// when set, win over Image and NetworkMode for that run.
	Image       string
	NetworkMode string
	Timeout     time.Duration
	Limits      runner.Limits
	// Authorizer issues state credentials per run (TF_HTTP_USERNAME,
	// TF_HTTP_PASSWORD); nil issues none.
	Authorizer Authorizer
	// StateURL is the base URL runs reach CloudOven at. When set, runs get
	// TF_HTTP_ADDRESS, TF_HTTP_LOCK_ADDRESS and TF_HTTP_UNLOCK_ADDRESS
	// for the deployment (StateURL/api/v1/state/<project>/<deployment id>,
	// package state's route); an address in the generated backend block
	// wins over them.
	StateURL string
	Logger   *slog.Logger
}
