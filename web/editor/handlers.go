package editor

import (
	"context"
	"log/slog"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// Store is what the editor reads and keeps in the store: blueprints and their drafts.
// *store.Store has it.
type Store interface {
	CreateBlueprint(ctx context.Context, project, name, description string, document []byte, message string) (store.Blueprint, store.BlueprintVersion, error)
	Blueprint(ctx context.Context, project, name string) (store.Blueprint, error)
	BlueprintVersion(ctx context.Context, project, name string, version int) (store.BlueprintVersion, error)
	Draft(ctx context.Context, project, blueprint string) (store.Draft, error)
	SaveDraft(ctx context.Context, project, blueprint string, baseVersion int, document []byte, w store.DraftWrite) (store.Draft, error)
	DiscardDraft(ctx context.Context, project, blueprint string, w store.DraftWrite) error
	CommitDraft(ctx context.Context, project, blueprint, message string, w store.DraftWrite) (store.BlueprintVersion, error)
}

// Handlers answers the blueprint editor: a new blueprint (empty or from a starter), the
// editor page on one item, every change to the draft with the live preview, adding a type
// from the catalog, saving the draft as a version, discarding it and downloading it.
type Handlers struct {
	frame   *page.Frame
	store   Store
	catalog func() *catalog.Catalog
	checks  Checker
	logger  *slog.Logger
	// providers runs the real providers' check (check.go); nil when it is not configured.
	providers ProviderChecker
}

// New returns the editor's handlers; catalog gives the catalog of each request (a crawl may
// swap it), checks the project's rules, allowed providers and state addresses the draft is
// checked with.
func New(frame *page.Frame, st Store, catalog func() *catalog.Catalog, checks Checker) *Handlers {
	return &Handlers{frame: frame, store: st, catalog: catalog, checks: checks, logger: frame.Logger()}
}

// Routes registers the editor's routes; everything here needs the editor role.
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("POST /projects/{project}/new-blueprint", page.Editor.Audited("blueprint.create"), s.newBlueprint)
	rt.Handle("GET /projects/{project}/blueprints/{blueprint}/edit", page.Editor, s.showEditor)
	rt.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/item", page.Editor, s.editItem)
	rt.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/add", page.Editor, s.addToDraft)
	rt.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/check", page.Editor, s.checkProviders)
	rt.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/save", page.Editor.Audited("blueprint.save"), s.saveVersion)
	rt.Handle("POST /projects/{project}/blueprints/{blueprint}/edit/discard", page.Editor.Audited("blueprint.discard"), s.discardDraft)
	rt.Handle("GET /projects/{project}/blueprints/{blueprint}/edit/terraform.zip", page.Editor, s.downloadDraftZip)
}
