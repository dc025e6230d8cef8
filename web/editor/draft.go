package editor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
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
	// head is the draft's revision that bp is: read with it, then the one saveDraft made.
	head store.DraftHead
	// baseDoc reads the document of the version the draft started from; prior is it parsed
	// (priorVersion), once.
	baseDoc  func() ([]byte, error)
	prior    *blueprint.Blueprint
	priorErr error // why priorBody gave an empty body; the change must not be saved
}

// priorVersion is the blueprint version the draft started from: where an argument cleared
// and set again within the draft goes back to (blueprint.Placement). Nil when there is none.
func (es *editorSession) priorVersion() (*blueprint.Blueprint, error) {
	if es.prior != nil || es.baseDoc == nil {
		return es.prior, nil
	}
	doc, err := es.baseDoc()
	if errors.Is(err, store.ErrNotFound) {
		es.baseDoc = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if es.prior, err = blueprint.ParseDocument(doc); err != nil {
		return nil, fmt.Errorf("reading version %d of %s/%s: %w", es.base, es.project, es.name, err)
	}
	return es.prior, nil
}

// openDraft reads the blueprint's draft, or its latest version when it has none.
func (s *Handlers) openDraft(ctx context.Context, project, name string) (*editorSession, error) {
	b, err := s.store.Blueprint(ctx, project, name)
	if err != nil {
		return nil, err
	}
	es := &editorSession{ctx: ctx, project: project, name: b.Name, latest: b.LatestVersion, cat: s.catalog(), head: b.DraftHead}
	d, err := s.store.Draft(ctx, project, name)
	var doc []byte
	switch {
	case err == nil:
		doc, es.base, es.draft, es.head = d.Document, d.BaseVersion, true, d.Head
		es.baseDoc = func() ([]byte, error) {
			v, err := s.store.BlueprintVersion(ctx, project, name, es.base)
			return v.Document, err
		}
	case errors.Is(err, store.ErrNotFound):
		// b's head was read with b.LatestVersion, and versions never change: a draft
		// written since makes the save's revision check fail, and the change is applied
		// again to it.
		v, err := s.store.BlueprintVersion(ctx, project, name, b.LatestVersion)
		if err != nil {
			return nil, err
		}
		doc, es.base = v.Document, v.Version
		es.baseDoc = func() ([]byte, error) { return v.Document, nil }
	default:
		return nil, err
	}
	if es.bp, err = blueprint.ParseDocument(doc); err != nil {
		return nil, fmt.Errorf("reading the draft of %s/%s: %w", project, name, err)
	}
	return es, nil
}

// priorBody gives, when called, the body find picks out of the version the draft started
// from (priorVersion), or an empty one: form.ParseOptions.Prior, which reads that version
// only when an argument is placed. An error reading it is kept in es.priorErr.
func (es *editorSession) priorBody(find func(*blueprint.Blueprint) *blueprint.Body) func() blueprint.Body {
	return func() blueprint.Body {
		prior, err := es.priorVersion()
		if err != nil {
			es.priorErr = err
		}
		if prior == nil {
			return blueprint.Body{}
		}
		if b := find(prior); b != nil {
			return *b
		}
		return blueprint.Body{}
	}
}

// saveDraft writes the session's blueprint as the draft on behalf of w, if the draft is
// still at the revision the session read (store.ErrConflict otherwise).
func (s *Handlers) saveDraft(ctx context.Context, es *editorSession, w store.DraftWrite) error {
	doc, err := es.bp.MarshalDocument()
	if err != nil {
		return err
	}
	w.Read = es.head.Revision
	d, err := s.store.SaveDraft(ctx, es.project, es.name, es.base, doc, w)
	if err != nil {
		return err
	}
	es.draft, es.head = true, d.Head
	return nil
}

// Why a change to the draft was not made; changeDraft returns them.
var (
	// errStaleDraft: the author's form shows a revision someone else has changed since.
	errStaleDraft = errors.New("the draft has changed since the author's form was made")
	// errBusyDraft: other writes kept getting in between reading the draft and saving it.
	errBusyDraft = errors.New("the draft kept changing while the change was applied")
)

// maxDraftAttempts bounds how often changeDraft applies a change again to a draft that
// another request saved while it was being applied. Every lost attempt is another request's
// save, so a burst of n concurrent changes needs at most n attempts each.
const maxDraftAttempts = 32

// changeDraft opens the draft, checks that w's author may change it (errStaleDraft
// otherwise), applies change and, when change says so, saves the result. The read, the
// change and the save are one optimistic transaction: when another request saves in
// between, the save is refused and the change is applied again to the newer draft, so no
// concurrent change is lost (errBusyDraft after maxDraftAttempts). It returns the session
// as saved, or as read when nothing was saved.
func (s *Handlers) changeDraft(ctx context.Context, project, name string, w store.DraftWrite, change func(*editorSession) (save bool, err error)) (*editorSession, error) {
	for range maxDraftAttempts {
		es, err := s.openDraft(ctx, project, name)
		if err != nil {
			return nil, err
		}
		if !es.head.Admits(w) {
			return es, errStaleDraft
		}
		save, err := change(es)
		if err != nil || !save {
			return es, err
		}
		err = s.saveDraft(ctx, es, w)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		return es, err
	}
	return nil, errBusyDraft
}

// revisionField is the hidden field that carries the draft revision an editor form shows.
// Its name cannot be an argument's (a colon is no part of an HCL identifier).
const revisionField = "draft:revision"

// draftWrite is the author of r's change to a draft, with the revision its form shows.
// A form without a revision is from before revisions, or not from the editor: ok is false.
func draftWrite(r *http.Request) (w store.DraftWrite, ok bool) {
	seen, err := strconv.ParseInt(r.PostForm.Get(revisionField), 10, 64)
	if err != nil || seen < 0 {
		return store.DraftWrite{}, false
	}
	return store.DraftWrite{Writer: writerOf(r.Context()), Seen: seen}, true
}

// writerOf names the signed-in author of a request among draft writers: a digest of their
// session, so each browser session is one writer (two tabs of one session are one author),
// and the store never holds anything that signs in.
func writerOf(ctx context.Context) string {
	id := page.IdentityOf(ctx)
	if id == nil || id.TokenHash == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("cloudoven draft writer\x00" + id.TokenHash))
	return hex.EncodeToString(sum[:16])
}

// Answers to a change that was not made.
const (
	staleDraftMessage = "Someone else changed this blueprint's draft after this page was loaded, so this change was not saved. " +
		"Reload the page to see their changes, then make yours again."
	busyDraftMessage = "The draft kept changing while this change was being saved, so it was not saved. Reload the page and try again."
	oldFormMessage   = "This editor page is out of date: its form does not say which draft it shows. Reload the page; nothing was saved."
)

// provider finds a provider configuration by address (azurerm, azurerm.west).
func (es *editorSession) provider(addr string) (int, *blueprint.ProviderConfig) {
	for i := range es.bp.Providers {
		if es.bp.Providers[i].Address() == addr {
			return i, &es.bp.Providers[i]
		}
	}
	return -1, nil
}

// saveVersion answers POST .../edit/save: the draft becomes the next version, unless it holds
// changes the author has not seen (409).
func (s *Handlers) saveVersion(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := page.ParseForm(w, r, 64<<10); err != nil {
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The message is too long.")
	}
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	dw, ok := draftWrite(r)
	if !ok {
		return s.editRefused(w, r, http.StatusUnprocessableEntity, oldFormMessage)
	}
	v, err := s.store.CommitDraft(ctx, project, name, strings.TrimSpace(r.PostForm.Get("message")), dw)
	switch {
	case errors.Is(err, store.ErrConflict):
		return s.editRefused(w, r, http.StatusConflict, "Someone else changed this blueprint's draft after this page was loaded, so no version was saved. "+
			"Reload the page to see their changes before you save.")
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

// discardDraft answers POST .../edit/discard: back to the latest version, unless the draft
// holds changes the author has not seen (409).
func (s *Handlers) discardDraft(w http.ResponseWriter, r *http.Request) error {
	if err := page.ParseForm(w, r, 64<<10); err != nil {
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The request is too large.")
	}
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	dw, ok := draftWrite(r)
	if !ok {
		return s.editRefused(w, r, http.StatusUnprocessableEntity, oldFormMessage)
	}
	err := s.store.DiscardDraft(r.Context(), project, name, dw)
	if errors.Is(err, store.ErrConflict) {
		return s.editRefused(w, r, http.StatusConflict, "Someone else changed this blueprint's draft after this page was loaded, so it was not discarded. "+
			"Reload the page to see their changes first.")
	}
	if err != nil {
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
