package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
)

// maxFormBytes bounds a form without uploads: a name and a description of at most
// store.MaxTextBytes, with room for encoding.
const maxFormBytes = 64 << 10

// projectFormFragment is the create-project form, swapped alone on an htmx post.
const projectFormFragment = "project-form"

type projectsProps struct {
	Layout   layoutProps
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
func (s *server) listProjects(w http.ResponseWriter, r *http.Request) error {
	return s.renderProjects(w, r, http.StatusOK, projectFormProps{}, "")
}

// createProject answers POST /projects: 422 with the form and its problems, or a redirect to
// the new project.
func (s *server) createProject(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.renderProjects(w, r, formStatus(err), projectFormProps{
			DescriptionError: "The form could not be read: " + formProblem(err),
		}, projectFormFragment)
	}
	form := projectFormProps{
		Name:        strings.TrimSpace(r.PostForm.Get("name")),
		Description: strings.TrimSpace(r.PostForm.Get("description")),
	}
	if err := store.ValidName(form.Name); err != nil {
		form.NameError = capitalize(err.Error())
	}
	if len(form.Description) > store.MaxTextBytes {
		form.DescriptionError = fmt.Sprintf("The description is %d bytes; keep it under %d.", len(form.Description), store.MaxTextBytes)
	}
	if form.invalid() {
		return s.renderProjects(w, r, http.StatusUnprocessableEntity, form, projectFormFragment)
	}
	p, err := s.store.CreateProjectAs(r.Context(), signedInUser(r.Context()), form.Name, form.Description)
	switch {
	case errors.Is(err, store.ErrConflict):
		form.NameError = fmt.Sprintf("A project named %q already exists. Pick another name.", form.Name)
	case errors.Is(err, store.ErrInvalidName):
		form.NameError = capitalize(err.Error())
	case errors.Is(err, store.ErrTooLarge):
		form.DescriptionError = capitalize(err.Error())
	case err != nil:
		return err
	}
	if form.invalid() {
		return s.renderProjects(w, r, http.StatusUnprocessableEntity, form, projectFormFragment)
	}
	s.logger.Info("project created", "project", p.Name)
	s.audit(r, "project.create", p.Name, p.Name, "")
	redirect(w, r, projectPath(p.Name))
	return nil
}

// renderProjects renders the projects page, or only fragment for an htmx request.
func (s *server) renderProjects(w http.ResponseWriter, r *http.Request, status int, form projectFormProps, fragment string) error {
	props := projectsProps{Layout: s.layout("Projects", navProjects), Form: form}
	if fragment == "" || !isHTMX(r) {
		ps, err := s.visibleProjects(r)
		if err != nil {
			return err
		}
		for _, p := range ps {
			props.Projects = append(props.Projects, projectRow{
				Name:        p.Name,
				Description: p.Description,
				URL:         projectPath(p.Name),
				Created:     components.NewTime(p.CreatedAt),
			})
		}
	}
	return s.render(w, r, status, projectsPage(props), projectFormFragment)
}

// formStatus is the status for a form body that could not be read.
func formStatus(err error) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// formProblem says why a form body could not be read.
func formProblem(err error) string {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fmt.Sprintf("it is larger than %d KiB.", tooBig.Limit>>10)
	}
	return "it is not a valid form submission."
}

// capitalize turns a lowercase error message into a sentence for the page.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; 'a' <= c && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

type projectProps struct {
	Layout      layoutProps
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
	Updated       components.Time
}

// showProject answers GET /projects/{project}: its blueprints and the import form.
func (s *server) showProject(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("project")
	return s.renderProject(w, r, http.StatusOK, name, importFormProps{Action: blueprintsPath(name)}, "")
}

// renderProject renders a project's page, or only fragment for an htmx request.
func (s *server) renderProject(w http.ResponseWriter, r *http.Request, status int, name string, form importFormProps, fragment string) error {
	p, err := s.store.Project(r.Context(), name)
	if err != nil {
		return err
	}
	props := projectProps{
		Layout:      s.layout(p.Name, navProjects),
		Name:        p.Name,
		Description: p.Description,
		Created:     components.NewTime(p.CreatedAt),
		Import:      form,
	}
	if fragment == "" || !isHTMX(r) {
		bs, err := s.store.Blueprints(r.Context(), p.Name)
		if err != nil {
			return err
		}
		for _, b := range bs {
			props.Blueprints = append(props.Blueprints, blueprintRow{
				Name:          b.Name,
				Description:   b.Description,
				URL:           blueprintPath(p.Name, b.Name),
				LatestVersion: b.LatestVersion,
				LatestURL:     blueprintVersionPath(p.Name, b.Name, b.LatestVersion),
				Updated:       components.NewTime(b.UpdatedAt),
			})
		}
	}
	return s.render(w, r, status, projectPage(props), fragment)
}

// visibleProjects are the projects the signed-in user belongs to; a global admin sees all.
func (s *server) visibleProjects(r *http.Request) ([]store.Project, error) {
	id := identityOf(r.Context())
	if id.user.Admin {
		return s.store.Projects(r.Context())
	}
	return s.store.ProjectsOf(r.Context(), id.user.Name)
}
