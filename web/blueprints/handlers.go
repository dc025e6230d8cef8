package blueprints

import (
	"context"
	"log/slog"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// Store is what the project page and the blueprint pages read and keep in the store;
// *store.Store has it.
type Store interface {
	Project(ctx context.Context, name string) (store.Project, error)
	CreateBlueprint(ctx context.Context, project, name, description string, document []byte, message string) (store.Blueprint, store.BlueprintVersion, error)
	AddBlueprintVersion(ctx context.Context, project, blueprint string, document []byte, message string) (store.BlueprintVersion, error)
	Blueprints(ctx context.Context, project string) ([]store.Blueprint, error)
	Blueprint(ctx context.Context, project, name string) (store.Blueprint, error)
	BlueprintVersions(ctx context.Context, project, name string) ([]store.BlueprintVersion, error)
	BlueprintVersion(ctx context.Context, project, name string, version int) (store.BlueprintVersion, error)
	SaveBlueprintUpgrade(ctx context.Context, project, blueprint string, u store.BlueprintUpgrade) error
	BlueprintUpgrade(ctx context.Context, project, blueprint string) (store.BlueprintUpgrade, error)
	DeleteBlueprintUpgrade(ctx context.Context, project, blueprint string) error
}

// Handlers answers a project's page (its blueprints, the new-blueprint and import forms),
// the import itself, and each blueprint's pages: a version's generated files and checks,
// the diff between versions, the dependency graph and the downloads.
type Handlers struct {
	frame   *page.Frame
	store   Store
	catalog func() *catalog.Catalog
	checks  Checker
	logger  *slog.Logger
}

// Checker gives what a project's blueprints are checked with besides the catalog; of it,
// the import and a version's page use the provider sources the project allows.
// *deployment.Resolver has it.
type Checker interface {
	Checks(ctx context.Context, project string) (deployment.Checks, error)
}

// New returns the blueprint handlers; catalog gives the catalog of each request (a crawl
// may swap it), checks the project's checks.
func New(frame *page.Frame, st Store, catalog func() *catalog.Catalog, checks Checker) *Handlers {
	return &Handlers{frame: frame, store: st, catalog: catalog, checks: checks, logger: frame.Logger()}
}

// disallowedProviders are errors on the provider sources b uses that neither the catalog
// nor the project allows (policy.CheckProviders): an import refuses them, as it refuses
// validation errors, and a version's page lists them.
func (s *Handlers) disallowedProviders(ctx context.Context, project string, b *blueprint.Blueprint) (blueprint.Diagnostics, error) {
	checks, err := s.checks.Checks(ctx, project)
	if err != nil {
		return nil, err
	}
	return policy.CheckProviders(b, s.catalog(), checks.Providers), nil
}

// Routes registers the project page and the blueprint pages (viewers) and the import
// (editors).
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("GET /projects/{project}", page.Viewer, s.showProject)
	rt.Handle("GET /projects/{project}/blueprints/{blueprint}", page.Viewer, s.showBlueprint)
	rt.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/graph.svg", page.Viewer, s.showGraph)
	rt.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/terraform.zip", page.Viewer, s.downloadZip)
	rt.Handle("GET /projects/{project}/blueprints/{blueprint}/versions/{version}/blueprint.json", page.Viewer, s.downloadDocument)
	rt.Handle("GET /projects/{project}/blueprints/{blueprint}/diff", page.Viewer, s.showDiff)
	rt.Handle("POST /projects/{project}/blueprints", page.Editor, s.importBlueprint)
	rt.Handle("GET /projects/{project}/blueprints/{blueprint}/upgrade", page.Viewer, s.showUpgrade)
	rt.Handle("POST /projects/{project}/blueprints/{blueprint}/upgrade/renames", page.Editor, s.applyRenames)
	rt.Handle("POST /projects/{project}/blueprints/{blueprint}/upgrade/import", page.Editor, s.reimportUpgrade)
}
