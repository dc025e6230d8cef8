package editor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/a-h/templ"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/starters"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// The editor works on the blueprint's draft, saved on every change, so a closed tab or a
// crashed browser loses nothing; "Save version" turns the draft into the next immutable
// version. There is one draft per blueprint and the last write wins: two people editing the
// same blueprint at once see each other's changes on their next reload.
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
	es, err := s.openDraft(ctx, r.PathValue("project"), r.PathValue("blueprint"))
	if err != nil {
		return err
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
	ed := editOutcome{item: item}
	switch {
	case item == itemSettings:
		ed = applySettings(es, r.PostForm, op)
	case item == itemVariables:
		ed = applyVariables(es, r.PostForm, op)
	case item == itemLocals:
		ed = applyLocals(es, r.PostForm, op)
	case item == itemOutputs:
		ed = applyOutputs(es, r.PostForm, op)
	case strings.HasPrefix(item, itemProvider):
		ed, err = applyProvider(es, strings.TrimPrefix(item, itemProvider), r.PostForm, op)
	default:
		ed, err = applyResource(es, item, r.PostForm, op)
	}
	if err != nil {
		return err
	}
	if ed.problem == "" {
		if err := s.saveDraft(ctx, es); err != nil {
			if errors.Is(err, store.ErrTooLarge) {
				return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The blueprint would be larger than CloudOven stores; this change was not saved.")
			}
			return err
		}
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
		// Typing: only the preview changes, so the field being typed in keeps its focus.
		return s.renderParts(w, r, editorPreview(props, false), editorItemProblem(props, true), editorOutline(props, true))
	}
	w.Header().Set("HX-Retarget", "#item-form")
	w.Header().Set("HX-Reswap", "outerHTML")
	return s.renderParts(w, r, editorItem(props), editorItemProblem(props, true), editorPreview(props, true), editorOutline(props, true))
}

// itemOps are the ops the form of item has buttons for, beside none at all (typing).
func itemOps(item string) []form.OpKind {
	switch {
	case item == itemSettings:
		return []form.OpKind{form.OpNone, form.OpConfigure}
	case item == itemVariables, item == itemLocals, item == itemOutputs:
		return []form.OpKind{form.OpNone, form.OpAddRow, form.OpRemoveRow}
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

// addToDraft answers POST .../edit/add with type and kind: a new resource or data source of
// that type, with a free name, its provider's requirement and configuration when missing.
func (s *Handlers) addToDraft(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := page.ParseForm(w, r, 64<<10); err != nil {
		return s.editRefused(w, r, http.StatusRequestEntityTooLarge, "The request is too large.")
	}
	es, err := s.openDraft(ctx, r.PathValue("project"), r.PathValue("blueprint"))
	if err != nil {
		return err
	}
	kind := catalog.KindResource
	if r.PostForm.Get("kind") == "data" {
		kind = catalog.KindDataSource
	}
	typ := es.cat.Lookup(kind, r.PostForm.Get("type"))
	if typ == nil {
		return s.editRefused(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("The catalog has no %s %q.", kindLabel(kind), r.PostForm.Get("type")))
	}
	addr := addType(es.bp, typ)
	if err := s.saveDraft(ctx, es); err != nil {
		return err
	}
	page.Redirect(w, r, paths.EditItem(es.project, es.name, addr))
	return nil
}

func kindLabel(k catalog.Kind) string {
	if k == catalog.KindDataSource {
		return "data source"
	}
	return "resource type"
}

// addType adds a resource or data source of typ to b and returns its address. Its name is
// "main" (or main2, main3…) and its config has the blocks the schema requires, with every
// argument left for the author: the diagnostics then list exactly what is left to fill in.
func addType(b *blueprint.Blueprint, typ *catalog.Type) string {
	res := blueprint.NewResource(typ, func(addr string) bool { return b.Resource(addr) != nil })
	if typ.Schema != nil {
		res.Config = form.Skeleton(typ.Schema.Block)
	}
	b.AddResource(res)
	if rp, ok := blueprint.RequiredProviderFor(typ); ok && !slices.ContainsFunc(b.RequiredProviders, func(x blueprint.RequiredProvider) bool { return x.Name == rp.Name }) {
		b.RequiredProviders = append(b.RequiredProviders, rp)
	}
	if pc, ok := blueprint.ProviderConfigFor(typ); ok && !slices.ContainsFunc(b.Providers, func(x blueprint.ProviderConfig) bool { return x.Name == pc.Name }) {
		b.Providers = append(b.Providers, pc)
	}
	return res.Address()
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

// editorPreviewView is the right-hand column: generated files and every diagnostic.
type editorPreviewView struct {
	Files       []components.File
	Problem     string // why no files could be generated
	Diagnostics []editorDiagnostic
	Errors      int
	Warnings    int
	// Findings are the project's guardrails this draft does not keep (package policy).
	Findings     []editorDiagnostic
	RulesProblem string
}

// editorDiagnostic is a diagnostic with where to show it: the item and field it belongs to.
type editorDiagnostic struct {
	components.Diagnostic
	Item  string // resource address, variables, …; "" when it belongs to the blueprint as a whole
	Field string // the form key of the field, "" when none
	URL   string // opens the item in the editor
}

// outlineItem is one entry of the editor's outline.
type outlineItem struct {
	Label   string
	Detail  string // the type of a resource
	Item    string
	URL     string
	Current bool
	Errors  int
}

type outlineGroup struct {
	Title string
	Items []outlineItem
}

// editorProps is the editor page.
type editorProps struct {
	Layout       page.Layout
	Project      string
	Name         string
	ProjectURL   string
	BlueprintURL string
	EditURL      string
	ItemURL      string // where the item's form posts
	AddURL       string
	SearchURL    string
	SaveURL      string
	DiscardURL   string
	ZipURL       string
	RulesURL     string
	Base         int
	Latest       int
	Draft        bool
	Item         string
	Outline      []outlineGroup
	Preview      editorPreviewView
	Problem      string // why the last change was refused

	// Exactly one of these is set, by Item.
	Resource  *resourceEditor
	Provider  *providerEditor
	Variables *variablesEditor
	Locals    *localsEditor
	Outputs   *outputsEditor
	Settings  *settingsEditor
	Missing   string // the item does not exist (any more)
}

func (s *Handlers) editorProps(es *editorSession, item string, modes map[string]form.Mode) (editorProps, error) {
	p := editorProps{
		Layout: s.frame.Layout("Edit "+es.name, page.NavProjects,
			page.InProject(es.project, page.Crumb{Label: es.name, URL: paths.Blueprint(es.project, es.name), TestID: "breadcrumb-blueprint"})...),
		Project:      es.project,
		Name:         es.name,
		ProjectURL:   paths.Project(es.project),
		BlueprintURL: paths.Blueprint(es.project, es.name),
		EditURL:      paths.Edit(es.project, es.name),
		ItemURL:      paths.EditItemPost(es.project, es.name, item),
		AddURL:       paths.EditAdd(es.project, es.name),
		SearchURL:    paths.CatalogAdd(es.project, es.name),
		SaveURL:      paths.EditSave(es.project, es.name),
		DiscardURL:   paths.EditDiscard(es.project, es.name),
		ZipURL:       paths.EditZip(es.project, es.name),
		Base:         es.base,
		Latest:       es.latest,
		Draft:        es.draft,
		Item:         item,
	}
	diags := blueprint.Validate(es.bp, es.cat)
	diags.Sort()
	p.Preview = s.preview(es, diags)
	p.Preview.Findings, p.Preview.RulesProblem = s.findingViews(es.ctx, es, nil)
	p.RulesURL = paths.Rules(es.project)
	p.Outline = outline(es, item, p.Preview.Diagnostics)
	problems := map[string][]components.Diagnostic{}
	for _, d := range append(append([]editorDiagnostic(nil), p.Preview.Diagnostics...), p.Preview.Findings...) {
		if d.Item == item && d.Field != "" {
			problems[d.Field] = append(problems[d.Field], d.Diagnostic)
		}
	}
	switch {
	case item == itemSettings:
		p.Settings = settingsView(es)
	case item == itemVariables:
		p.Variables = variablesView(es, problems)
	case item == itemLocals:
		p.Locals = localsView(es, problems)
	case item == itemOutputs:
		p.Outputs = outputsView(es, problems)
	case strings.HasPrefix(item, itemProvider):
		if p.Provider = providerView(es, strings.TrimPrefix(item, itemProvider), problems, modes); p.Provider == nil {
			p.Missing = "There is no provider configuration " + strings.TrimPrefix(item, itemProvider) + "."
		}
	default:
		if p.Resource = resourceView(es, item, problems, modes); p.Resource == nil {
			p.Missing = "There is no " + item + " in this blueprint."
		}
	}
	return p, nil
}

// preview generates the draft's files and places each diagnostic on its item and field.
func (s *Handlers) preview(es *editorSession, diags blueprint.Diagnostics) editorPreviewView {
	var pv editorPreviewView
	files, err := blueprint.Generate(es.bp, blueprint.GenerateOptions{})
	if err != nil {
		// Half-typed expressions should not blank the preview: show it with them as null.
		pv.Problem = page.Capitalize(err.Error())
		if c, n, cerr := previewable(es.bp); cerr == nil && n > 0 {
			if files, err = blueprint.Generate(c, blueprint.GenerateOptions{}); err == nil {
				pv.Problem = fmt.Sprintf("%d %s cannot be written yet (see the errors above); the preview shows %s as null.",
					n, page.Plural(n, "value", "values"), page.Plural(n, "it", "them"))
			}
		}
	}
	for _, f := range files {
		if f.Name == "terraform.tfvars" {
			continue
		}
		pv.Files = append(pv.Files, components.File{Name: f.Name, Content: string(f.Content)})
	}
	keys := map[string]map[string]bool{} // form keys by item, built once per item
	for _, d := range diags {
		ed := editorDiagnostic{Diagnostic: components.Diagnostics(blueprint.Diagnostics{d})[0]}
		ed.Item, ed.Field = es.locate(d.Path, keys)
		if ed.Item != "" {
			ed.URL = paths.EditItem(es.project, es.name, ed.Item)
		}
		if d.Severity == blueprint.Error {
			pv.Errors++
		} else {
			pv.Warnings++
		}
		pv.Diagnostics = append(pv.Diagnostics, ed)
	}
	return pv
}

// locate maps a diagnostic path to the editor item and the form key showing it.
func (es *editorSession) locate(path string, keys map[string]map[string]bool) (item, field string) {
	// resources[azurerm_resource_group.main].location: the bracket holds dots of its own.
	name, sub, rest := path, "", ""
	if open := strings.Index(path, "["); open >= 0 {
		if end := strings.Index(path[open:], "]"); end >= 0 {
			name, sub, rest = path[:open], path[open+1:open+end], strings.TrimPrefix(path[open+end+1:], ".")
		}
	} else {
		name, rest, _ = strings.Cut(path, ".")
	}
	switch name {
	case "resources", "data":
		addr := sub
		if name == "data" {
			addr = "data." + sub
		}
		r := es.bp.Resource(addr)
		if r == nil {
			return "", ""
		}
		ks, ok := keys[addr]
		if !ok {
			if t := es.cat.Lookup(kindOfResource(r), r.Type); t != nil && t.Schema != nil {
				ks = form.Build(t.Schema.Block, r.Config, form.Options{}).Keys()
			}
			keys[addr] = ks
		}
		// Config arguments first: "name" is both an argument and the resource's own name.
		if f := form.FieldFor(ks, rest); f != "" {
			return addr, f
		}
		meta, _, _ := strings.Cut(rest, ".")
		meta, _, _ = strings.Cut(meta, "[")
		if k, ok := form.MetaKey(meta); ok {
			return addr, k
		}
		return addr, ""
	case "variables":
		return itemVariables, rowField(form.VariablesTable, es.variableIndex(sub), rest)
	case "locals":
		return itemLocals, rowField(form.LocalsTable, es.localIndex(sub), rest)
	case "outputs":
		return itemOutputs, rowField(form.OutputsTable, es.outputIndex(sub), rest)
	case "providers":
		var i int
		if _, err := fmt.Sscan(sub, &i); err != nil || i < 0 || i >= len(es.bp.Providers) {
			return itemSettings, ""
		}
		addr := es.bp.Providers[i].Address()
		ks, ok := keys["provider:"+addr]
		if !ok {
			if pt := providerSchema(es, es.bp.Providers[i].Name); pt != nil {
				ks = form.Build(pt, es.bp.Providers[i].Config, form.Options{}).Keys()
			}
			keys["provider:"+addr] = ks
		}
		return itemProvider + addr, form.FieldFor(ks, rest)
	case "required_providers", "required_version", "name", "description":
		return itemSettings, ""
	}
	return "", ""
}

func kindOfResource(r *blueprint.Resource) catalog.Kind {
	if r.Mode == blueprint.DataMode {
		return catalog.KindDataSource
	}
	return catalog.KindResource
}

// rowField is the key of a row's field in the variables, locals and outputs tables:
// v[2].default.
func rowField(t form.Table, i int, rest string) string {
	if i < 0 {
		return ""
	}
	f, _, _ := strings.Cut(rest, ".")
	f, _, _ = strings.Cut(f, "[")
	if f == "" {
		f = "name"
	}
	return t.FieldKey(i, f)
}

// variableIndex finds a variable by the name or index a diagnostic path uses.
func (es *editorSession) variableIndex(sub string) int {
	return index(sub, len(es.bp.Variables), func(i int) string { return es.bp.Variables[i].Name })
}

func (es *editorSession) localIndex(sub string) int {
	return index(sub, len(es.bp.Locals), func(i int) string { return es.bp.Locals[i].Name })
}

func (es *editorSession) outputIndex(sub string) int {
	return index(sub, len(es.bp.Outputs), func(i int) string { return es.bp.Outputs[i].Name })
}

func index(sub string, n int, name func(int) string) int {
	for i := range n {
		if name(i) == sub {
			return i
		}
	}
	var i int
	if _, err := fmt.Sscan(sub, &i); err == nil && i >= 0 && i < n {
		return i
	}
	return -1
}

// outline lists the draft's items with their error counts.
func outline(es *editorSession, current string, diags []editorDiagnostic) []outlineGroup {
	errs := map[string]int{}
	for _, d := range diags {
		if d.Severity == "error" {
			errs[d.Item]++
		}
	}
	mk := func(label, detail, item string) outlineItem {
		return outlineItem{Label: label, Detail: detail, Item: item, URL: paths.EditItem(es.project, es.name, item), Current: item == current, Errors: errs[item]}
	}
	var res, data, prov []outlineItem
	for _, r := range es.bp.Resources {
		res = append(res, mk(r.Name, r.Type, r.Address()))
	}
	for _, r := range es.bp.Data {
		data = append(data, mk(r.Name, r.Type, r.Address()))
	}
	for _, p := range es.bp.Providers {
		prov = append(prov, mk(p.Address(), "provider", itemProvider+p.Address()))
	}
	groups := []outlineGroup{
		{Title: "Resources", Items: res},
		{Title: "Data sources", Items: data},
		{Title: "Inputs and outputs", Items: []outlineItem{
			mk("Variables", fmt.Sprint(len(es.bp.Variables)), itemVariables),
			mk("Locals", fmt.Sprint(len(es.bp.Locals)), itemLocals),
			mk("Outputs", fmt.Sprint(len(es.bp.Outputs)), itemOutputs),
		}},
		{Title: "Providers", Items: append(prov, mk("Settings", "terraform block", itemSettings))},
	}
	return groups
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
