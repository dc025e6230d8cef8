package blueprints

import (
	"net/http"

	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

type projectProps struct {
	Layout      page.Layout
	Name        string
	Description string
	Created     components.Time
	Blueprints  []blueprintRow
	Import      importFormProps
}

type blueprintRow struct {
	Name          string
	Description   string
	URL           string
	LatestVersion int
	LatestURL     string
	HasDraft      bool
	Updated       components.Time
}

// showProject answers GET /projects/{project}: its blueprints and the import form.
func (s *Handlers) showProject(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("project")
	return s.renderProject(w, r, http.StatusOK, name, importFormProps{Action: paths.Blueprints(name)}, "")
}

// renderProject renders a project's page, or only fragment for an htmx request.
func (s *Handlers) renderProject(w http.ResponseWriter, r *http.Request, status int, name string, form importFormProps, fragment string) error {
	p, err := s.store.Project(r.Context(), name)
	if err != nil {
		return err
	}
	props := projectProps{
		Layout:      s.frame.Layout(p.Name, page.NavProjects, page.ProjectsCrumb()),
		Name:        p.Name,
		Description: p.Description,
		Created:     components.NewTime(p.CreatedAt),
		Import:      form,
	}
	if fragment == "" || !page.IsHTMX(r) {
		bs, err := s.store.Blueprints(r.Context(), p.Name)
		if err != nil {
			return err
		}
		for _, b := range bs {
			props.Blueprints = append(props.Blueprints, blueprintRow{
				Name:          b.Name,
				Description:   b.Description,
				URL:           paths.Blueprint(p.Name, b.Name),
				LatestVersion: b.LatestVersion,
				LatestURL:     paths.BlueprintVersion(p.Name, b.Name, b.LatestVersion),
				HasDraft:      b.HasDraft,
				Updated:       components.NewTime(b.UpdatedAt),
			})
		}
	}
	return s.frame.Render(w, r, status, projectPage(props), fragment)
}
