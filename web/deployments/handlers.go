package deployments

import (
	"context"
	"log/slog"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
)

// Store is what the deployment pages read and keep in the store; *store.Store has it.
type Store interface {
	Project(ctx context.Context, name string) (store.Project, error)
	Blueprints(ctx context.Context, project string) ([]store.Blueprint, error)
	Blueprint(ctx context.Context, project, name string) (store.Blueprint, error)
	BlueprintVersions(ctx context.Context, project, name string) ([]store.BlueprintVersion, error)
	Environments(ctx context.Context, project string) ([]store.Environment, error)
	Environment(ctx context.Context, project, name string) (store.Environment, error)
	CreateDeployment(ctx context.Context, project, blueprint string, version int, environment, stateKey string) (store.Deployment, error)
	Deployments(ctx context.Context, project string) ([]store.Deployment, error)
	Deployment(ctx context.Context, project string, id int64) (store.Deployment, error)
	UpdateDeploymentVersion(ctx context.Context, project string, id int64, version int) (store.Deployment, error)
	DeploymentRuns(ctx context.Context, deploymentID int64, limit int) ([]store.Run, error)
	StateVersions(ctx context.Context, deploymentID int64, limit int) ([]store.StateVersion, error)
	StateVersion(ctx context.Context, deploymentID int64, version int) (store.StateVersion, error)
	LatestStateVersion(ctx context.Context, deploymentID int64) (store.StateVersion, error)
	StateLock(ctx context.Context, deploymentID int64) (store.StateLock, error)
	Locks
}

// Planner starts plans and destroys of a deployment; *runs.Service has it. It refuses a
// plan its guardrails block (deployment.BlockedError), whoever asks.
type Planner interface {
	Plan(ctx context.Context, project string, deploymentID int64, user string, destroy bool) (store.Run, error)
}

// Unlocker force-unlocks a deployment's state for an operator; *runs.Service has it. It
// refuses while the run holding the lock executes (*runs.LockInUseError).
type Unlocker interface {
	ForceUnlock(ctx context.Context, project string, deploymentID int64, lockID, user string) (store.StateLock, error)
}

// Runs is what the deployment pages ask of the run service; *runs.Service has it.
type Runs interface {
	Planner
	Unlocker
}

// Handlers answers a project's deployment pages: the list and the create form, a
// deployment's page (the files a run uses, its checks, runs and state versions), its zip,
// promotion to a newer version, and starting a plan or a destroy.
type Handlers struct {
	frame    *page.Frame
	store    Store
	resolver *deployment.Resolver
	runs     Runs // nil when runs are not configured
	runner   components.RunnerLabel
	upgrader LockUpgrader // nil when provider management is not configured
	states   StateReader  // nil when CloudOven's state store is not configured
	secrets  SecretValues // nil when secrets are not configured
	logger   *slog.Logger
}

// New returns the deployment handlers. runs may be nil: the pages then say that runs are not
// configured; runner names what runs terraform.
func New(frame *page.Frame, st Store, resolver *deployment.Resolver, runs Runs, runner components.RunnerLabel) *Handlers {
	return &Handlers{frame: frame, store: st, resolver: resolver, runs: runs, runner: runner, logger: frame.Logger()}
}

// Routes registers the deployment pages. Reading needs viewer; deployments are what runs,
// so creating, promoting and planning one, and force-unlocking its state, needs operator.
// The run a plan starts is {id} of the run routes (package runview).
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("GET /projects/{project}/deployments", page.Viewer, s.listDeployments)
	rt.Handle("POST /projects/{project}/deployments", page.Operator.Audited("deployment.create"), s.createDeployment)
	rt.Handle("GET /projects/{project}/deployments/{id}", page.Viewer, s.showDeployment)
	rt.Handle("GET /projects/{project}/deployments/{id}/terraform.zip", page.Viewer, s.downloadDeploymentZip)
	// Whoever sees the deployment sees its state versions' non-sensitive values (doc.go).
	rt.Handle("GET /projects/{project}/deployments/{id}/state/{version}", page.Viewer, s.showStateVersion)
	rt.Handle("GET /projects/{project}/deployments/{id}/state/compare", page.Viewer, s.compareStateVersions)
	rt.Handle("POST /projects/{project}/deployments/{id}/promote", page.Operator.Audited("deployment.promote"), s.promoteDeployment)
	rt.Handle("POST /projects/{project}/deployments/{id}/runs", page.Operator.Audited("run.create"), s.createRun)
	// Audited by the handler, whose entry names the lock and the run that held it.
	rt.Handle("POST /projects/{project}/deployments/{id}/state/unlock", page.Operator, s.forceUnlock)
	// Upgrading providers is what starting a plan is: it changes what runs will install.
	rt.Handle("POST /projects/{project}/deployments/{id}/providers/upgrade", page.Operator, s.upgradeProviders)
	rt.Handle("GET /projects/{project}/deployments/{id}/providers/upgrade", page.Viewer, s.showUpgrade)
	rt.Handle("POST /projects/{project}/deployments/{id}/providers/upgrade/use", page.Operator.Audited("deployment.providers.upgrade"), s.useUpgrade)
	rt.Handle("POST /projects/{project}/deployments/{id}/providers/upgrade/discard", page.Operator, s.discardUpgrade)
}
