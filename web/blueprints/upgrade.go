package blueprints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/tfsource"
	"github.com/cloudoven/cloudoven/upgrade"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

type upgradeProps struct {
	Layout          page.Layout
	Project         string
	Name            string
	Version         int
	VersionURL      string
	Items           []upgradeItem
	Mechanical      int
	WithReplacement int
	RenamesAction   string
	ImportAction    string
	// Files are the configuration as imported (or as just edited, when a re-import was
	// refused), to fix the held items in and import again.
	Files       []upgradeFile
	Error       string
	Problems    []sourceProblem
	Diagnostics []components.Diagnostic
}

type upgradeItem struct {
	Name          string
	What          string
	At            string
	Old           string
	Replacements  []string
	Suggested     string // a successor the guides do not name (upgrade.Item.Suggested)
	SuggestedWhy  string
	Mechanical    bool
	NotMechanical string
	Why           string
	Section       string
	GuideURL      string
	Sentence      string
	HCL           string
	Related       []string
}

type upgradeFile struct {
	Name string
	Text string
}

// upgradeRecord is what an import held back, with the configuration it read, as the store
// keeps it beside the blueprint; nil when nothing was held. It is built before the version
// is saved, so that a record the store would refuse refuses the import with nothing saved.
func upgradeRecord(files map[string][]byte, rep upgrade.Report) (*store.BlueprintUpgrade, error) {
	if len(rep.Items) == 0 {
		return nil, nil
	}
	texts := make(map[string]string, len(files))
	for n, b := range files {
		texts[n] = string(b)
	}
	sources, err := json.Marshal(texts)
	if err != nil {
		return nil, err
	}
	if len(sources) > store.MaxDocumentBytes {
		return nil, fmt.Errorf("%w: the configuration is %s once kept beside its upgrade report; the limit is %s: import fewer files at once",
			store.ErrTooLarge, page.ByteSize(int64(len(sources))), page.ByteSize(int64(store.MaxDocumentBytes)))
	}
	report, err := rep.Marshal()
	if err != nil {
		return nil, err
	}
	if len(report) > store.MaxDocumentBytes {
		// The held text is also in the kept configuration, at each item's file and line:
		// a report too large for the store keeps the items without it.
		rep.Items = slices.Clone(rep.Items)
		for i := range rep.Items {
			rep.Items[i].HCL = ""
		}
		if report, err = rep.Marshal(); err != nil {
			return nil, err
		}
		if len(report) > store.MaxDocumentBytes {
			return nil, fmt.Errorf("%w: the upgrade report is %s; the limit is %s", store.ErrTooLarge, page.ByteSize(int64(len(report))), page.ByteSize(int64(store.MaxDocumentBytes)))
		}
	}
	return &store.BlueprintUpgrade{Sources: sources, Report: report}, nil
}

// keepUpgrade keeps rec (upgradeRecord's) with the blueprint's new version, or forgets an
// earlier one when rec is nil: nothing is held any more.
func (s *Handlers) keepUpgrade(ctx context.Context, project, name string, version int, rec *store.BlueprintUpgrade) error {
	if rec == nil {
		return s.store.DeleteBlueprintUpgrade(ctx, project, name)
	}
	rec.Version = version
	return s.store.SaveBlueprintUpgrade(ctx, project, name, *rec)
}

// readUpgrade reads what an upgrade import kept with a blueprint.
func (s *Handlers) readUpgrade(ctx context.Context, project, name string) (store.BlueprintUpgrade, map[string][]byte, upgrade.Report, error) {
	u, err := s.store.BlueprintUpgrade(ctx, project, name)
	if err != nil {
		return u, nil, upgrade.Report{}, err
	}
	rep, err := upgrade.ParseReport(u.Report)
	if err != nil {
		return u, nil, rep, err
	}
	var texts map[string]string
	if err := json.Unmarshal(u.Sources, &texts); err != nil {
		return u, nil, rep, fmt.Errorf("reading the kept configuration: %w", err)
	}
	files := make(map[string][]byte, len(texts))
	for n, t := range texts {
		files[n] = []byte(t)
	}
	return u, files, rep, nil
}

func (s *Handlers) upgradeProps(project, name string, version int, files map[string][]byte, rep upgrade.Report) upgradeProps {
	p := upgradeProps{
		Layout: s.frame.Layout("Upgrade report: "+name, page.NavProjects,
			page.InProject(project, page.Crumb{Label: name, URL: paths.Blueprint(project, name)})...),
		Project: project, Name: name, Version: version,
		VersionURL:    paths.BlueprintVersion(project, name, version),
		Mechanical:    rep.Mechanical(),
		RenamesAction: paths.UpgradeRenames(project, name),
		ImportAction:  paths.UpgradeImport(project, name),
	}
	p.WithReplacement = rep.WithReplacement()
	cat := s.catalog()
	for _, it := range rep.Items {
		vi := upgradeItem{
			Name: it.Name(), What: string(it.What), At: fmt.Sprintf("%s:%d", it.File, it.Line), Old: it.Old(),
			Replacements: it.Replacements, Mechanical: it.Mechanical, NotMechanical: it.NotMechanical,
			Suggested: it.Suggested, SuggestedWhy: it.SuggestedWhy,
			Why: it.Why, Section: it.Section(), HCL: it.HCL,
		}
		if it.Upgrade != nil {
			vi.Sentence = it.Upgrade.Sentence
			vi.GuideURL = it.GuideURL(cat.ProviderOfType(strings.TrimPrefix(it.Address, "data.")))
		}
		for _, u := range it.Related {
			r := "no replacement named"
			if len(u.Replacements) > 0 {
				r = strings.Join(u.Replacements, ", ")
			}
			vi.Related = append(vi.Related, fmt.Sprintf("%s → %s (%s § %s)", u.Path, r, u.Guide, u.Section))
		}
		p.Items = append(p.Items, vi)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		if strings.HasSuffix(n, ".tf") { // other names were listed, never read: nothing to edit
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		p.Files = append(p.Files, upgradeFile{Name: n, Text: string(files[n])})
	}
	return p
}

// showUpgrade answers GET .../upgrade: the held items as a checklist, each with its
// replacement and the guide section that says so, "Apply N renames", and the kept
// configuration to fix the rest in. 404 once nothing is held.
func (s *Handlers) showUpgrade(w http.ResponseWriter, r *http.Request) error {
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	u, files, rep, err := s.readUpgrade(r.Context(), project, name)
	if err != nil {
		return err
	}
	return s.frame.Render(w, r, http.StatusOK, upgradePage(s.upgradeProps(project, name, u.Version, files, rep)), "")
}

// applyRenames answers POST .../upgrade/renames: it rewrites the mechanical renames in the
// kept configuration and imports it again as the blueprint's next version.
func (s *Handlers) applyRenames(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	if err := page.ParseForm(w, r, 64<<10); err != nil {
		return err
	}
	u, files, rep, err := s.readUpgrade(ctx, project, name)
	if err != nil {
		return err
	}
	refuse := func(msg string) error {
		p := s.upgradeProps(project, name, u.Version, files, rep)
		p.Error = msg
		return s.frame.Render(w, r, http.StatusUnprocessableEntity, upgradePage(p), "")
	}
	renamed, applied, err := upgrade.ApplyRenames(files, s.catalog())
	switch {
	case errors.Is(err, upgrade.ErrNotParsed):
		return refuse(page.Capitalize(err.Error()) + ".")
	case err != nil:
		return err
	case len(applied) == 0:
		return refuse("There is no mechanical rename to apply: the items left need a change by hand.")
	}
	n := len(applied)
	return s.importUpgrade(w, r, project, name, renamed, u.Version,
		fmt.Sprintf("applied %d %s from the provider's upgrade guides", n, page.Plural(n, "rename", "renames")))
}

// reimportUpgrade answers POST .../upgrade/import: the kept configuration as edited on the
// report page (fields file and text, in pairs, for the files the import read) is read with
// tfsource's limits and imported again.
func (s *Handlers) reimportUpgrade(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project, name := r.PathValue("project"), r.PathValue("blueprint")
	u, kept, rep, err := s.readUpgrade(ctx, project, name)
	if err != nil {
		return err
	}
	if err := page.ParseForm(w, r, maxImportBytes); err != nil {
		p := s.upgradeProps(project, name, u.Version, kept, rep)
		p.Error = page.FormRefusal(err)
		return s.frame.Render(w, r, page.FormStatus(err), upgradePage(p), "")
	}
	names, texts := r.PostForm["file"], r.PostForm["text"]
	edited := map[string][]byte{}
	var given []tfsource.File
	for i, n := range names {
		if _, ok := kept[n]; !ok || i >= len(texts) || edited[n] != nil {
			return page.ErrNotFound // only the files the import read are edited here
		}
		edited[n] = []byte(texts[i])
		given = append(given, tfsource.File{Name: n, Data: edited[n]})
	}
	for n, b := range kept {
		if _, ok := edited[n]; !ok {
			edited[n] = b // a file the form did not send stays as it was
			given = append(given, tfsource.File{Name: n, Data: b})
		}
	}
	slices.SortFunc(given, func(a, b tfsource.File) int { return strings.Compare(a.Name, b.Name) })
	if _, err := tfsource.ReadFiles(given); err != nil {
		p := s.upgradeProps(project, name, u.Version, edited, rep)
		p.Error = terraformProblem(err, fromUpload).msg
		return s.frame.Render(w, r, http.StatusUnprocessableEntity, upgradePage(p), "")
	}
	return s.importUpgrade(w, r, project, name, edited, u.Version, "fixed on the upgrade report")
}

// importUpgrade imports files as the blueprint's next version, with the same checks as an
// import, and keeps what is still held; a refusal shows the report page again with the
// files as they were posted, so nothing typed is lost.
func (s *Handlers) importUpgrade(w http.ResponseWriter, r *http.Request, project, name string, files map[string][]byte, version int, message string) error {
	ctx := r.Context()
	b, rep, diags := upgrade.Import(files, s.catalog())
	refuse := func(p upgradeProps, msg string) error {
		p.Error = msg
		return s.frame.Render(w, r, http.StatusUnprocessableEntity, upgradePage(p), "")
	}
	if diags.HasErrors() {
		_, _, kept, err := s.readUpgrade(ctx, project, name)
		if err != nil {
			return err
		}
		p := s.upgradeProps(project, name, version, files, kept)
		p.Problems = sourceProblems(diags.Errors())
		n := len(diags.Errors())
		return refuse(p, fmt.Sprintf("The configuration has %d %s, listed below. Nothing was imported.", n, page.Plural(n, "error", "errors")))
	}
	b.Name = name
	providers, err := s.disallowedProviders(ctx, project, b)
	if err != nil {
		return err
	}
	vd := append(blueprint.Validate(b, s.catalog()), providers...)
	if vd.HasErrors() {
		vd.Sort()
		p := s.upgradeProps(project, name, version, files, rep)
		p.Diagnostics = components.Diagnostics(vd.Errors())
		n := len(vd.Errors())
		return refuse(p, fmt.Sprintf("What the configuration keeps has %d %s. Nothing was imported.", n, page.Plural(n, "error", "errors")))
	}
	doc, err := b.MarshalDocument()
	if err != nil {
		return err
	}
	rec, err := upgradeRecord(files, rep)
	if errors.Is(err, store.ErrTooLarge) {
		return refuse(s.upgradeProps(project, name, version, files, rep), page.Capitalize(err.Error())+". Nothing was imported.")
	} else if err != nil {
		return err
	}
	v, err := s.store.AddBlueprintVersion(ctx, project, name, doc, message)
	if err != nil {
		return err
	}
	if err := s.keepUpgrade(ctx, project, name, v.Version, rec); err != nil {
		return err
	}
	s.frame.Audit(r, "blueprint.upgrade", project, name, fmt.Sprintf("version %d: %s, %d held", v.Version, message, len(rep.Items)))
	if len(rep.Items) > 0 {
		page.Redirect(w, r, paths.BlueprintUpgrade(project, name))
		return nil
	}
	page.Redirect(w, r, paths.BlueprintVersion(project, name, v.Version))
	return nil
}

// upgradeLink tells the blueprint page about held items not fixed yet.
func (s *Handlers) upgradeLink(ctx context.Context, project, name string, props *blueprintProps) error {
	u, err := s.store.BlueprintUpgrade(ctx, project, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	rep, err := upgrade.ParseReport(u.Report)
	if err != nil {
		return err
	}
	props.UpgradeItems, props.UpgradeURL = len(rep.Items), paths.BlueprintUpgrade(project, name)
	return nil
}
