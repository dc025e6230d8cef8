package environments

import (
	"context"
	"log/slog"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// Store is what the environment pages read and keep in the store; *store.Store has it.
type Store interface {
	Project(ctx context.Context, name string) (store.Project, error)
	Blueprints(ctx context.Context, project string) ([]store.Blueprint, error)
	Blueprint(ctx context.Context, project, name string) (store.Blueprint, error)
	BlueprintVersion(ctx context.Context, project, name string, version int) (store.BlueprintVersion, error)
	Deployments(ctx context.Context, project string) ([]store.Deployment, error)
	CreateEnvironment(ctx context.Context, project, name string, document []byte) (store.Environment, error)
	UpdateEnvironment(ctx context.Context, project, name string, document []byte) (store.Environment, error)
	Environments(ctx context.Context, project string) ([]store.Environment, error)
	Environment(ctx context.Context, project, name string) (store.Environment, error)
}

// Handlers answers a project's environment pages: the list, and each environment's
// variables, backend, runner settings and secrets.
type Handlers struct {
	frame   *page.Frame
	store   Store
	secrets Secrets // nil when secrets are not configured
	logger  *slog.Logger
	// stateURL is where runs reach CloudOven's state backend; empty when runs are not
	// configured.
	stateURL string
}

// New returns the environment handlers; secrets may be nil (the pages then say that secrets
// are not configured).
func New(frame *page.Frame, st Store, secrets Secrets) *Handlers {
	return &Handlers{frame: frame, store: st, secrets: secrets, logger: frame.Logger()}
}

// WithStateURL says where runs reach CloudOven's state backend, which the backend form shows
// for the http backend without an address.
func (s *Handlers) WithStateURL(u string) *Handlers {
	s.stateURL = u
	return s
}

// Routes registers the environment pages. Each section of an environment's page posts to
// its own URL, so saving one never touches another. Reading needs viewer; environments hold
// credentials, so changing one needs operator: an editor composes blueprints but cannot
// point them at a subscription.
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("GET /projects/{project}/environments", page.Viewer, s.listEnvironments)
	rt.Handle("POST /projects/{project}/environments", page.Operator.Audited("environment.create"), s.createEnvironment)
	rt.Handle("GET /projects/{project}/environments/{environment}", page.Viewer, s.showEnvironment)
	rt.Handle("POST /projects/{project}/environments/{environment}/variables", page.Operator.Audited("environment.variables"), s.saveEnvVariables)
	rt.Handle("POST /projects/{project}/environments/{environment}/backend", page.Operator.Audited("environment.backend"), s.saveEnvBackend)
	rt.Handle("POST /projects/{project}/environments/{environment}/runner", page.Operator.Audited("environment.runner"), s.saveEnvRunner)
	rt.Handle("POST /projects/{project}/environments/{environment}/secrets", page.Operator.Audited("secret.set"), s.setEnvSecret)
	rt.Handle("POST /projects/{project}/environments/{environment}/secrets/{name}/delete", page.Operator.Audited("secret.delete"), s.deleteEnvSecret)
}
