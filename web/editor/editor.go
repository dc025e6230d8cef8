package editor

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/a-h/templ"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// The editor works on the blueprint's draft, saved on every change, so a closed tab or a
// crashed browser loses nothing; "Save version" turns the draft into the next immutable
// version. There is one draft per blueprint, with a revision (store.DraftHead): every form
// carries the revision of the draft it shows, every htmx answer brings the new one, and a
// change, save or discard made on a revision someone else has changed since is refused with
// 409 and a message to reload, so two people editing one blueprint never overwrite each
// other unseen. One author's own writes never make their form stale (store.DraftHead.Admits):
// htmx drops the answer of a request a newer one replaces (hx-sync), although the request
// may have saved. Adding a type depends on nothing the author saw and is never stale. Each
// change is read, applied and saved as one optimistic transaction (changeDraft), so
// concurrent changes are all kept.
//
// Each item (a resource, a data source, the variables, the locals, the outputs, a provider
// configuration, the settings) is edited in its own form. The form posts on every input
// (debounced) and the answer is the preview with its diagnostics; structural changes (adding
// or removing a block, switching a field between value, reference and expression, deleting
// the resource) post with an op (form.Op) and get the item's form back as well; an op that
// does not parse, or that the item has no button for, is refused with 422. Without
// JavaScript a post redirects back to the editor, so every change also works as a plain form.

// Editor items that are not resources.
const (
	itemSettings  = "settings"
	itemVariables = "variables"
	itemLocals    = "locals"
	itemOutputs   = "outputs"
	itemProvider  = "provider:" // provider:azurerm, provider:azurerm.west
)

// showEditor answers GET .../edit?item=X: the whole editor on one item.
func (s *Handlers) showEditor(w http.ResponseWriter, r *http.Request) error {
	es, err := s.openDraft(r.Context(), r.PathValue("project"), r.PathValue("blueprint"))
	if err != nil {
		return err
	}
	item := r.URL.Query().Get("item")
	if item == "" {
		item = es.defaultItem()
	}
	props, err := s.editorProps(es, item, nil)
	if err != nil {
		return err
	}
	return s.frame.Render(w, r, http.StatusOK, editorPage(props), "")
}

func (es *editorSession) defaultItem() string {
	if len(es.bp.Resources) > 0 {
		return es.bp.Resources[0].Address()
	}
	if len(es.bp.Data) > 0 {
		return es.bp.Data[0].Address()
	}
	return itemSettings
}

// editItem answers POST .../edit/item?item=X: the item's form, applied to the draft.
func (s *Handlers) editItem(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := page.ParseForm(w, r, maxEditFormBytes); err != nil {
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The form is larger than CloudOven accepts; nothing was saved.")
	}
	item := r.URL.Query().Get("item")
	// Every button writes an op its item takes: anything else is a forged or broken form.
	op, err := form.ParseOp(r.PostForm.Get(form.OpName))
	if err != nil {
		return s.editRefused(w, r, http.StatusUnprocessableEntity, page.Capitalize(err.Error())+" Nothing was saved.")
	}
	if !slices.Contains(itemOps(item), op.Kind) {
		return s.editRefused(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("The form of %s has no %s button; nothing was saved.", item, op.Kind))
	}
	dw, ok := draftWrite(r)
	if !ok {
		return s.editRefused(w, r, http.StatusUnprocessableEntity, oldFormMessage)
	}
	var ed editOutcome
	es, err := s.changeDraft(ctx, r.PathValue("project"), r.PathValue("blueprint"), dw, func(es *editorSession) (bool, error) {
		var err error
		ed = editOutcome{item: item}
		switch {
		case item == itemSettings:
			ed = applySettings(es, r.PostForm, op)
		case item == itemVariables:
			ed = applyVariables(es, r.PostForm, op)
		case item == itemLocals:
			ed = applyLocals(es, r.PostForm, op)
		case item == itemOutputs:
			ed = applyOutputs(es, r.PostForm, op)
		case item == itemFiles:
			ed = applyFiles(es, r.PostForm, op)
		case item == itemModules:
			ed = applyModules(es, r.PostForm, op)
		case strings.HasPrefix(item, itemProvider):
			ed, err = applyProvider(es, strings.TrimPrefix(item, itemProvider), r.PostForm, op)
		default:
			ed, err = applyResource(es, item, r.PostForm, op)
		}
		return ed.problem == "", err
	})
	switch {
	case errors.Is(err, errStaleDraft):
		return s.editRefused(w, r, http.StatusConflict, staleDraftMessage)
	case errors.Is(err, errBusyDraft):
		return s.editRefused(w, r, http.StatusConflict, busyDraftMessage)
	case errors.Is(err, store.ErrTooLarge):
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The blueprint would be larger than CloudOven stores; this change was not saved.")
	case err != nil:
		return err
	}
	if !page.IsHTMX(r) {
		http.Redirect(w, r, paths.EditItem(es.project, es.name, ed.item), http.StatusSeeOther)
		return nil
	}
	if ed.item != item {
		// A rename or a delete: the item has a new address, or is gone.
		page.Redirect(w, r, paths.EditItem(es.project, es.name, ed.item))
		return nil
	}
	props, err := s.editorProps(es, ed.item, ed.modes)
	if err != nil {
		return err
	}
	props.Problem = ed.problem
	if op.Kind == form.OpNone {
		// Typing: only the preview changes, so the field being typed in keeps its focus;
		// the form's revision is replaced on its own, out of band.
		return s.renderParts(w, r, editorPreview(props, false), editorItemProblem(props, true), editorOutline(props, true),
			editorRevisions(props, true))
	}
	w.Header().Set("HX-Retarget", "#item-form")
	w.Header().Set("HX-Reswap", "outerHTML")
	return s.renderParts(w, r, editorItem(props), editorItemProblem(props, true), editorPreview(props, true), editorOutline(props, true),
		editorRevisions(props, false))
}

// itemOps are the ops the form of item has buttons for, beside none at all (typing).
func itemOps(item string) []form.OpKind {
	switch {
	case item == itemSettings:
		return []form.OpKind{form.OpNone, form.OpConfigure, form.OpRemoveRow}
	case item == itemVariables, item == itemLocals, item == itemOutputs, item == itemFiles:
		return []form.OpKind{form.OpNone, form.OpAddRow, form.OpRemoveRow}
	case item == itemModules:
		return []form.OpKind{form.OpNone, form.OpRename}
	case strings.HasPrefix(item, itemProvider):
		return []form.OpKind{form.OpNone, form.OpDelete, form.OpAddBlock, form.OpRemoveBlock, form.OpMode}
	}
	return []form.OpKind{form.OpNone, form.OpRename, form.OpDelete, form.OpAddBlock, form.OpRemoveBlock, form.OpMode}
}

// maxEditFormBytes bounds an editor form; the largest schemas make forms of a few hundred KiB.
const maxEditFormBytes = 2 << 20

// editOutcome is what applying a form did.
type editOutcome struct {
	item    string               // the item to show next
	modes   map[string]form.Mode // field modes the author switched to
	problem string               // why the change was refused, shown above the form
}

// renderParts writes several components as one htmx answer: the first is swapped into the
// request's target, the others carry hx-swap-oob.
func (s *Handlers) renderParts(w http.ResponseWriter, r *http.Request, parts ...templ.Component) error {
	var buf bytes.Buffer
	for _, p := range parts {
		if err := p.Render(r.Context(), &buf); err != nil {
			return fmt.Errorf("rendering %s: %w", r.URL.Path, err)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
	return nil
}

// editRefused answers an edit that was not applied with a message in the flash area.
func (s *Handlers) editRefused(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	if !page.IsHTMX(r) {
		s.frame.ErrorPage(w, r, status, page.ErrorProps{Title: "Not saved", Message: msg})
		return nil
	}
	w.Header().Set("HX-Retarget", "#flash")
	w.Header().Set("HX-Reswap", "outerHTML")
	w.WriteHeader(status)
	return editorFlash(msg).Render(r.Context(), w)
}
