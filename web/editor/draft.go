package editor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/starters"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// editorSession is one request's view of a blueprint's draft.
type editorSession struct {
	ctx           context.Context
	project, name string
	bp            *blueprint.Blueprint
	base          int  // the version the draft started from
	draft         bool // whether a draft exists (else bp is the base version)
	latest        int
	cat           *catalog.Catalog
}

// openDraft reads the blueprint's draft, or its latest version when it has none.
func (s *Handlers) openDraft(ctx context.Context, project, name string) (*editorSession, error) {
	b, err := s.store.Blueprint(ctx, project, name)
	if err != nil {
		return nil, err
	}
	es := &editorSession{ctx: ctx, project: project, name: b.Name, latest: b.LatestVersion, cat: s.catalog()}
	d, err := s.store.Draft(ctx, project, name)
	var doc []byte
	switch {
	case err == nil:
		doc, es.base, es.draft = d.Document, d.BaseVersion, true
	case errors.Is(err, store.ErrNotFound):
		v, err := s.store.BlueprintVersion(ctx, project, name, b.LatestVersion)
		if err != nil {
			return nil, err
		}
		doc, es.base = v.Document, v.Version
	default:
		return nil, err
	}
	if es.bp, err = blueprint.ParseDocument(doc); err != nil {
		return nil, fmt.Errorf("reading the draft of %s/%s: %w", project, name, err)
	}
	return es, nil
}

// save writes the session's blueprint as the draft.
func (s *Handlers) saveDraft(ctx context.Context, es *editorSession) error {
	doc, err := es.bp.MarshalDocument()
	if err != nil {
		return err
	}
	if _, err := s.store.SaveDraft(ctx, es.project, es.name, es.base, doc); err != nil {
		return err
	}
	es.draft = true
	return nil
}

// provider finds a provider configuration by address (azurerm, azurerm.west).
func (es *editorSession) provider(addr string) (int, *blueprint.ProviderConfig) {
	for i := range es.bp.Providers {
		if es.bp.Providers[i].Address() == addr {
			return i, &es.bp.Providers[i]
		}
	}
	return -1, nil
}

// saveVersion answers POST .../edit/save: the draft becomes the next version.
func (s *Handlers) saveVersion(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := page.ParseForm(w, r, 64<<10); err != nil {
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The message is too long.")
	}
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	v, err := s.store.CommitDraft(ctx, project, name, strings.TrimSpace(r.PostForm.Get("message")))
	switch {
	case errors.Is(err, store.ErrNotFound):
		if _, err := s.store.Blueprint(ctx, project, name); err != nil {
			return err
		}
		// Nothing changed since the last version.
		page.Redirect(w, r, paths.Blueprint(project, name))
		return nil
	case errors.Is(err, store.ErrTooLarge):
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The message is too long; the draft is kept.")
	case err != nil:
		return err
	}
	page.Redirect(w, r, paths.BlueprintVersion(project, name, v.Version))
	return nil
}

// discardDraft answers POST .../edit/discard: back to the latest version.
func (s *Handlers) discardDraft(w http.ResponseWriter, r *http.Request) error {
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	if err := s.store.DiscardDraft(r.Context(), project, name); err != nil {
		return err
	}
	page.Redirect(w, r, paths.Edit(project, name))
	return nil
}

// newBlueprint answers POST /projects/{project}/new-blueprint: an empty blueprint, opened in
// the editor.
func (s *Handlers) newBlueprint(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := page.ParseForm(w, r, 64<<10); err != nil {
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The request is too large.")
	}
	project := r.PathValue("project")
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if err := store.ValidName(name); err != nil {
		return s.editRefused(w, r, http.StatusUnprocessableEntity, page.Capitalize(err.Error())+".")
	}
	bp, message := &blueprint.Blueprint{Name: name}, "Created empty"
	if id := r.PostForm.Get("starter"); id != "" {
		var err error
		if bp, err = starters.Blueprint(id, name); err != nil {
			return s.editRefused(w, r, http.StatusUnprocessableEntity, "There is no starter "+page.QuoteName(id)+".")
		}
		message = "Created from the starter " + id
	}
	doc, err := bp.MarshalDocument()
	if err != nil {
		return err
	}
	_, _, err = s.store.CreateBlueprint(ctx, project, name, bp.Description, doc, message)
	switch {
	case errors.Is(err, store.ErrConflict):
		return s.editRefused(w, r, http.StatusConflict, fmt.Sprintf("A blueprint named %s already exists in this project.", page.QuoteName(name)))
	case err != nil:
		return err
	}
	page.Redirect(w, r, paths.Edit(project, name))
	return nil
}

// downloadDraftZip answers GET .../edit/terraform.zip: the draft's files as they stand.
func (s *Handlers) downloadDraftZip(w http.ResponseWriter, r *http.Request) error {
	es, err := s.openDraft(r.Context(), r.PathValue("project"), r.PathValue("blueprint"))
	if err != nil {
		return err
	}
	files, err := blueprint.Generate(es.bp, blueprint.GenerateOptions{})
	if err != nil {
		s.frame.ErrorPage(w, r, http.StatusUnprocessableEntity, page.ErrorProps{
			Title:   "The draft cannot be generated",
			Message: page.Capitalize(err.Error()),
		})
		return nil
	}
	var buf bytes.Buffer
	if err := blueprint.WriteZip(&buf, files); err != nil {
		return err
	}
	page.Attach(w, "application/zip", es.name+"-draft.zip", buf.Bytes())
	return nil
}
