package environments

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Secrets keeps environments' secret environment variables (cloud credentials, TF_VAR_ values).
// It is write-only as far as the web interface goes: pages list names and times, never values.
// *secrets.Vault implements it.
type Secrets interface {
	Set(ctx context.Context, project, environment, name, value string) error
	Delete(ctx context.Context, project, environment, name string) error
	Names(ctx context.Context, project, environment string) ([]secrets.Info, error)
}

// Fragments of the environment pages, swapped alone on htmx requests.
const (
	envCreateFragment    = "env-create"
	envVariablesFragment = "env-variables"
	envBackendFragment   = "env-backend"
	envRunnerFragment    = "env-runner"
	envSecretsFragment   = "env-secrets"
)

// envPlaceholderKey stands in for a deployment's state key when an environment is checked on
// its own: every deployment fills the key setting with its own key.
const envPlaceholderKey = "deployment/state.tfstate"

type envListProps struct {
	Layout     page.Layout
	Project    string
	ProjectURL string
	Rows       []envRow
	Form       envCreateProps
}

type envRow struct {
	Name      string
	URL       string
	Backend   string
	Variables int
	Updated   components.Time
}

type envCreateProps struct {
	Action    string
	Name      string
	NameError string
}

// listEnvironments answers GET /projects/{project}/environments.
func (s *Handlers) listEnvironments(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	return s.renderEnvironments(w, r, http.StatusOK, project, envCreateProps{}, "")
}

// createEnvironment answers POST /projects/{project}/environments with a name: 422 with the
// form and its problem, or a redirect to the new environment's page. A new environment has
// CloudOven's own state backend (blueprint.DefaultBackend), so its first apply keeps its state.
func (s *Handlers) createEnvironment(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderEnvironments(w, r, page.FormStatus(err), project, envCreateProps{
			NameError: page.FormRefusal(err),
		}, envCreateFragment)
	}
	form := envCreateProps{Name: strings.TrimSpace(r.PostForm.Get("name"))}
	if err := store.ValidName(form.Name); err != nil {
		form.NameError = page.Capitalize(err.Error())
		return s.renderEnvironments(w, r, http.StatusUnprocessableEntity, project, form, envCreateFragment)
	}
	env := blueprint.Environment{Name: form.Name, Backend: blueprint.DefaultBackend(), Runner: blueprint.DefaultRunner()}
	doc, err := env.MarshalDocument()
	if err != nil {
		return err
	}
	_, err = s.store.CreateEnvironment(r.Context(), project, form.Name, doc)
	switch {
	case errors.Is(err, store.ErrConflict):
		form.NameError = fmt.Sprintf("The project has an environment named %q already. Pick another name.", form.Name)
	case errors.Is(err, store.ErrInvalidName):
		form.NameError = page.ProblemText(err)
	case err != nil:
		return err
	}
	if form.NameError != "" {
		return s.renderEnvironments(w, r, http.StatusUnprocessableEntity, project, form, envCreateFragment)
	}
	s.logger.Info("environment created", "project", project, "environment", form.Name)
	page.Redirect(w, r, paths.Environment(project, form.Name))
	return nil
}

func (s *Handlers) renderEnvironments(w http.ResponseWriter, r *http.Request, status int, project string, form envCreateProps, fragment string) error {
	p, err := s.store.Project(r.Context(), project)
	if err != nil {
		return err
	}
	form.Action = paths.Environments(p.Name)
	props := envListProps{
		Layout:     s.frame.Layout(p.Name+": environments", page.NavProjects, page.InProject(p.Name)...),
		Project:    p.Name,
		ProjectURL: paths.Project(p.Name),
		Form:       form,
	}
	es, err := s.store.Environments(r.Context(), p.Name)
	if err != nil {
		return err
	}
	for _, e := range es {
		row := envRow{Name: e.Name, URL: paths.Environment(p.Name, e.Name), Updated: components.NewTime(e.UpdatedAt), Backend: "—"}
		if env, err := deployment.ParseEnvironment(e); err == nil {
			row.Variables = len(env.Variables)
			if env.Backend.Type != "" {
				row.Backend = env.Backend.Type
			} else {
				row.Backend = "none (local state)"
			}
		}
		props.Rows = append(props.Rows, row)
	}
	return s.frame.Render(w, r, status, envListPage(props), fragment)
}

// envSession is one request's view of an environment.
type envSession struct {
	project string
	stored  store.Environment
	env     *blueprint.Environment
	// secretNames are the names of the environment's secrets; nil when secrets are not
	// configured.
	secrets []secrets.Info
}

func (s *Handlers) openEnvironment(ctx context.Context, project, name string) (*envSession, error) {
	e, err := s.store.Environment(ctx, project, name)
	if err != nil {
		return nil, err
	}
	env, err := deployment.ParseEnvironment(e)
	if err != nil {
		return nil, err
	}
	es := &envSession{project: project, stored: e, env: env}
	if s.secrets != nil {
		if es.secrets, err = s.secrets.Names(ctx, project, e.Name); err != nil {
			return nil, err
		}
	}
	return es, nil
}

// secretNames are the names of the environment's secrets, sorted.
func (es *envSession) secretNames() []string {
	out := make([]string, len(es.secrets))
	for i, s := range es.secrets {
		out[i] = s.Name
	}
	sort.Strings(out)
	return out
}

// withSecretNames is the environment as validation sees it: the names of its secrets, with
// empty values. Values are never read by the web interface.
func (es *envSession) withSecretNames() *blueprint.Environment {
	env := *es.env
	env.Secrets = map[string]string{}
	for _, s := range es.secrets {
		env.Secrets[s.Name] = ""
	}
	return &env
}

// save writes the session's environment document.
func (s *Handlers) saveEnvironment(ctx context.Context, es *envSession) error {
	doc, err := es.env.MarshalDocument()
	if err != nil {
		return err
	}
	e, err := s.store.UpdateEnvironment(ctx, es.project, es.stored.Name, doc)
	if err != nil {
		return err
	}
	es.stored.UpdatedAt = e.UpdatedAt
	return nil
}

type envPageProps struct {
	Layout          page.Layout
	Project         string
	ProjectURL      string
	EnvironmentsURL string
	DeploymentsURL  string
	Name            string
	Updated         components.Time
	Variables       envVariablesProps
	Backend         envBackendProps
	Runner          envRunnerProps
	Secrets         envSecretsProps
}

// showEnvironment answers GET /projects/{project}/environments/{environment}: the
// environment's sections. ?blueprint=B&version=N picks the blueprint whose variables are
// shown; ?backend_type=T switches the backend form to another type. htmx asks for one
// section by targeting it.
func (s *Handlers) showEnvironment(w http.ResponseWriter, r *http.Request) error {
	es, err := s.openEnvironment(r.Context(), r.PathValue("project"), r.PathValue("environment"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	props, err := s.envPage(r.Context(), es, q.Get("blueprint"), q.Get("version"))
	if err != nil {
		return err
	}
	if q.Has("backend_type") {
		props.Backend = s.envBackend(es, q.Get("backend_type"), nil)
	}
	fragment := ""
	switch t := r.Header.Get("HX-Target"); t {
	case envVariablesFragment, envBackendFragment:
		fragment = t
		props.open(t)
	}
	return s.frame.Render(w, r, http.StatusOK, envPage(props), fragment)
}

// envPage builds every section of the environment's page as stored.
func (s *Handlers) envPage(ctx context.Context, es *envSession, bpName, version string) (envPageProps, error) {
	name := es.stored.Name
	props := envPageProps{
		Layout: s.frame.Layout(es.project+": "+name, page.NavProjects,
			page.InProject(es.project, page.Crumb{Label: "Environments", URL: paths.Environments(es.project), TestID: "breadcrumb-environments"})...),
		Project:         es.project,
		ProjectURL:      paths.Project(es.project),
		EnvironmentsURL: paths.Environments(es.project),
		DeploymentsURL:  paths.Deployments(es.project),
		Name:            name,
		Updated:         components.NewTime(es.stored.UpdatedAt),
	}
	var err error
	if props.Variables, err = s.envVariables(ctx, es, bpName, version, nil); err != nil {
		return props, err
	}
	props.Backend = s.envBackend(es, es.env.Backend.Type, nil)
	props.Runner = envRunnerView(es, nil)
	props.Secrets = s.envSecrets(es)
	// The values are what people come for; another section opens when it needs attention.
	props.Variables.Open = true
	props.Backend.Open = props.Backend.Summary.Error
	props.Runner.Open = props.Runner.Summary.Error
	props.Secrets.Open = props.Secrets.Summary.Error
	return props, nil
}

// problemText is the message of a store or vault error for a page: the part written for
// people, without the operation the wrapping added.
func problemText(err error) string {
	msg := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, multi := e.(interface{ Unwrap() []error }); multi {
			return page.Capitalize(e.Error())
		}
		switch e {
		case store.ErrInvalidName, store.ErrTooLarge, store.ErrNotFound, store.ErrConflict:
			return page.Capitalize(msg)
		}
		msg = e.Error()
	}
	return page.Capitalize(msg)
}

// fieldDiagnostics splits diagnostics by the field they belong to: field(path) names it, or
// "" for the section's general list.
func fieldDiagnostics(ds blueprint.Diagnostics, field func(path string) string) (map[string][]components.Diagnostic, []components.Diagnostic) {
	ds.Sort()
	by := map[string][]components.Diagnostic{}
	var general []components.Diagnostic
	for _, d := range ds {
		v := components.Diagnostic{Severity: string(d.Severity), Path: d.Path, Summary: d.Summary, Detail: d.Detail}
		if f := field(d.Path); f != "" {
			by[f] = append(by[f], v)
		} else {
			general = append(general, v)
		}
	}
	return by, general
}

// renderEnvSection answers a section's post: the section alone for htmx, the whole page
// (with the section as given) otherwise.
func (s *Handlers) renderEnvSection(w http.ResponseWriter, r *http.Request, status int, es *envSession, fragment string, set func(*envPageProps)) error {
	var props envPageProps
	if page.IsHTMX(r) {
		props = envPageProps{Project: es.project, Name: es.stored.Name}
	} else {
		var err error
		if props, err = s.envPage(r.Context(), es, r.PostForm.Get("blueprint"), r.PostForm.Get("version")); err != nil {
			return err
		}
	}
	set(&props)
	props.open(fragment)
	return s.frame.Render(w, r, status, envPage(props), fragment)
}

// open opens the section of fragment, as a section that was just used stays open.
func (p *envPageProps) open(fragment string) {
	switch fragment {
	case envVariablesFragment:
		p.Variables.Open = true
	case envBackendFragment:
		p.Backend.Open = true
	case envRunnerFragment:
		p.Runner.Open = true
	case envSecretsFragment:
		p.Secrets.Open = true
	}
}
