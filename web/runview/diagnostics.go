package runview

import (
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/paths"
)

// shownWarnings is how many warnings show before the rest fold away.
const shownWarnings = 3

// diagnosticsProps are a run's errors and warnings as blocks above the log: the errors
// under the timeline, the warnings after the controls.
type diagnosticsProps struct {
	Errors   []diagnosticProps
	Warnings []diagnosticProps // the first shownWarnings
	// MoreWarnings are folded under a summary that counts them.
	MoreWarnings []diagnosticProps
}

type diagnosticProps struct {
	Severity string // "error" or "warning"
	Summary  string
	Detail   string
	Step     string // the step that reported it, as the timeline names it ("Check")
	// Where is where terraform put it: "main.tf line 12", with the resource it named.
	Where string
	// Path is the blueprint field it was placed on; EditURL opens its item in the editor.
	Path    string
	EditURL string
}

func buildDiagnostics(ds []store.RunDiagnostic, project, blueprint string, destroy bool) diagnosticsProps {
	var out diagnosticsProps
	for _, d := range ds {
		p := diagnosticProps{Severity: d.Severity, Summary: d.Summary, Detail: d.Detail, Path: d.Path}
		if d.Step != "" {
			stage, _, _ := strings.Cut(d.Step, ".")
			p.Step = stage + " · " + stepLabel(d.Step, destroy)
		}
		if d.File != "" {
			p.Where = d.File
			if d.Line > 0 {
				p.Where += " line " + strconv.Itoa(d.Line)
			}
		}
		if d.Address != "" {
			p.Where = strings.TrimSpace(p.Where + " in " + d.Address)
		}
		if item := editorItem(d.Path); item != "" && blueprint != "" {
			p.EditURL = paths.EditItem(project, blueprint, item)
		}
		switch {
		case d.Severity == "error":
			out.Errors = append(out.Errors, p)
		case len(out.Warnings) < shownWarnings:
			out.Warnings = append(out.Warnings, p)
		default:
			out.MoreWarnings = append(out.MoreWarnings, p)
		}
	}
	return out
}

// editorItem is the blueprint editor's item a diagnostic path is on: the resource or data
// source address of resources[azurerm_resource_group.main].location, or the section of a
// variable, local, output or provider configuration; "" for none.
func editorItem(path string) string {
	name, rest, bracket := path, "", false
	if open := strings.IndexByte(path, '['); open >= 0 {
		if end := strings.IndexByte(path[open:], ']'); end > 0 {
			name, rest, bracket = path[:open], path[open+1:open+end], true
		}
	} else if i := strings.IndexByte(path, '.'); i >= 0 {
		name = path[:i]
	}
	switch name {
	case "resources":
		if bracket && rest != "" {
			return rest
		}
	case "data":
		if bracket && rest != "" {
			return "data." + rest
		}
	case "variables", "locals", "outputs", "providers":
		return name
	}
	return ""
}
