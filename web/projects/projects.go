package projects

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// page.MaxFormBytes bounds a form without uploads: a name and a description of at most
// store.MaxTextBytes, with room for encoding.

// projectFormFragment is the create-project form, swapped alone on an htmx post.
const projectFormFragment = "project-form"

type projectsProps struct {
	Layout   page.Layout
	Projects []projectRow
	Form     projectFormProps
}

type projectRow struct {
	Name        string
	Description string
	URL         string
	Created     components.Time
}

type projectFormProps struct {
	Name             string
	Description      string
	NameError        string
	DescriptionError string
}

func (f projectFormProps) invalid() bool { return f.NameError != "" || f.DescriptionError != "" }

// listProjects answers GET /projects.
func (s *Handlers) listProjects(w http.ResponseWriter, r *http.Request) error {
	return s.renderProjects(w, r, http.StatusOK, projectFormProps{}, "")
}

// createProject answers POST /projects: 422 with the form and its problems, or a redirect to
// the new project.
func (s *Handlers) createProject(w http.ResponseWriter, r *http.Request) error {
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderProjects(w, r, page.FormStatus(err), projectFormProps{
			DescriptionError: page.FormRefusal(err),
		}, projectFormFragment)
	}
	form := projectFormProps{
		Name:        strings.TrimSpace(r.PostForm.Get("name")),
		Description: strings.TrimSpace(r.PostForm.Get("description")),
	}
	if err := store.ValidName(form.Name); err != nil {
		form.NameError = page.Capitalize(err.Error())
	}
	if len(form.Description) > store.MaxTextBytes {
		form.DescriptionError = fmt.Sprintf("The description is %d bytes; keep it under %d.", len(form.Description), store.MaxTextBytes)
	}
	if form.invalid() {
		return s.renderProjects(w, r, http.StatusUnprocessableEntity, form, projectFormFragment)
	}
	p, err := s.store.CreateProjectAs(r.Context(), page.SignedInUser(r.Context()), form.Name, form.Description)
	switch {
	case errors.Is(err, store.ErrConflict):
		form.NameError = fmt.Sprintf("A project named %q already exists. Pick another name.", form.Name)
	case errors.Is(err, store.ErrInvalidName):
		form.NameError = page.Capitalize(err.Error())
	case errors.Is(err, store.ErrTooLarge):
		form.DescriptionError = page.Capitalize(err.Error())
	case err != nil:
		return err
	}
	if form.invalid() {
		return s.renderProjects(w, r, http.StatusUnprocessableEntity, form, projectFormFragment)
	}
	s.logger.Info("project created", "project", p.Name)
	s.frame.Audit(r, "project.create", p.Name, p.Name, "")
	page.Redirect(w, r, paths.Project(p.Name))
	return nil
}

// renderProjects renders the projects page, or only fragment for an htmx request.
func (s *Handlers) renderProjects(w http.ResponseWriter, r *http.Request, status int, form projectFormProps, fragment string) error {
	props := projectsProps{Layout: s.frame.Layout("Projects", page.NavProjects), Form: form}
	if fragment == "" || !page.IsHTMX(r) {
		ps, err := s.visibleProjects(r)
		if err != nil {
			return err
		}
		for _, p := range ps {
			props.Projects = append(props.Projects, projectRow{
				Name:        p.Name,
				Description: p.Description,
				URL:         paths.Project(p.Name),
				Created:     components.NewTime(p.CreatedAt),
			})
		}
	}
	return s.frame.Render(w, r, status, projectsPage(props), projectFormFragment)
}

// visibleProjects are the projects the signed-in user belongs to; a global admin sees all.
func (s *Handlers) visibleProjects(r *http.Request) ([]store.Project, error) {
	id := page.IdentityOf(r.Context())
	if id.User.Admin {
		return s.store.Projects(r.Context())
	}
	return s.store.ProjectsOf(r.Context(), id.User.Name)
}
