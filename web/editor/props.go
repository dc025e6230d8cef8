package editor

import (
	"fmt"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/form"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

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
	CheckURL     string // where "Check with providers" posts
	RulesURL     string
	Base         int
	Latest       int
	Draft        bool
	Revision     int64 // the draft revision the page shows, which its forms post back
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
	Files     *filesEditor
	Settings  *settingsEditor
	Modules   *modulesEditor
	Missing   string // the item does not exist (any more)
}

func (s *Handlers) editorProps(es *editorSession, item string, modes map[string]form.Mode) (editorProps, error) {
	return s.editorPropsWith(es, item, modes, nil)
}

// editorPropsWith is editorProps with more diagnostics placed beside the draft's own: the
// providers' check's.
func (s *Handlers) editorPropsWith(es *editorSession, item string, modes map[string]form.Mode, extra blueprint.Diagnostics) (editorProps, error) {
	if strings.HasPrefix(item, "module.") {
		item = itemModules // a module call's graph node
	}
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
		CheckURL:     paths.EditCheck(es.project, es.name, item),
		Base:         es.base,
		Latest:       es.latest,
		Draft:        es.draft,
		Revision:     es.head.Revision,
		Item:         item,
	}
	providers, findings, rulesProblem, err := s.check(es)
	if err != nil {
		return p, err
	}
	diags := append(append(blueprint.Validate(es.bp, es.cat), providers...), extra...)
	diags.Sort()
	p.Preview = s.preview(es, diags)
	p.Preview.Findings, p.Preview.RulesProblem = s.findingViews(es, findings), rulesProblem
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
	case item == itemFiles:
		p.Files = filesView(es, problems)
	case item == itemModules:
		p.Modules = modulesView(es, problems)
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
			mk("Files", fmt.Sprint(len(es.bp.Files)), itemFiles),
		}},
		{Title: "Providers", Items: append(prov, mk("Settings", "terraform block", itemSettings))},
	}
	if len(es.bp.Modules)+len(es.bp.ModuleFiles) > 0 {
		groups = append(groups[:2:2], append([]outlineGroup{{Title: "Modules", Items: []outlineItem{
			mk("Module calls", fmt.Sprint(len(es.bp.Modules)), itemModules)}}}, groups[2:]...)...)
	}
	return groups
}
