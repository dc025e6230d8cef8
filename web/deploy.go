package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
)

// A deployment binds a blueprint version to an environment. Its page shows exactly the files
// a run would use: the version's Terraform with the environment's backend (and the
// deployment's state key) and terraform.tfvars with the environment's values. Secrets are
// names to the generator, never values, so no file or page can carry one.

const (
	deployFormFragment    = "deploy-form"
	deployPromoteFragment = "deploy-promote"
)

type deployListProps struct {
	Layout     layoutProps
	Project    string
	ProjectURL string
	Rows       []deployRow
	Form       deployFormProps
}

type deployRow struct {
	ID             int64
	URL            string
	Blueprint      string
	BlueprintURL   string
	Version        int
	Environment    string
	EnvironmentURL string
	StateKey       string
	Updated        components.Time
}

type deployFormProps struct {
	Action           string
	Blueprints       []string
	Environments     []string
	Blueprint        string
	Version          string
	Environment      string
	StateKey         string
	Placeholder      string
	BlueprintError   string
	VersionError     string
	EnvironmentError string
	StateKeyError    string
	Problem          string
}

func (f deployFormProps) invalid() bool {
	return f.BlueprintError != "" || f.VersionError != "" || f.EnvironmentError != "" || f.StateKeyError != "" || f.Problem != ""
}

// listDeployments answers GET /projects/{project}/deployments; ?blueprint=&environment=
// preselect the form (htmx refreshes it that way to show the default state key).
func (s *server) listDeployments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	form := deployFormProps{
		Blueprint:   q.Get("blueprint"),
		Environment: q.Get("environment"),
		Version:     q.Get("version"),
		StateKey:    q.Get("state_key"),
	}
	fragment := ""
	if r.Header.Get("HX-Target") == deployFormFragment {
		fragment = deployFormFragment
	}
	return s.renderDeployments(w, r, http.StatusOK, r.PathValue("project"), form, fragment)
}

// createDeployment answers POST /projects/{project}/deployments.
func (s *server) createDeployment(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.renderDeployments(w, r, formStatus(err), project, deployFormProps{
			Problem: "The form could not be read: " + formProblem(err),
		}, deployFormFragment)
	}
	f := r.PostForm
	form := deployFormProps{
		Blueprint:   strings.TrimSpace(f.Get("blueprint")),
		Version:     strings.TrimSpace(f.Get("version")),
		Environment: strings.TrimSpace(f.Get("environment")),
		StateKey:    strings.TrimSpace(f.Get("state_key")),
	}
	refuse := func() error {
		return s.renderDeployments(w, r, http.StatusUnprocessableEntity, project, form, deployFormFragment)
	}
	if _, err := s.store.Project(ctx, project); err != nil {
		return err
	}
	version := 0
	b, err := s.store.Blueprint(ctx, project, form.Blueprint)
	switch {
	case form.Blueprint == "":
		form.BlueprintError = "Choose a blueprint."
	case errors.Is(err, store.ErrNotFound):
		form.BlueprintError = fmt.Sprintf("The project has no blueprint named %s.", quoteName(form.Blueprint))
	case err != nil:
		return err
	default:
		version = b.LatestVersion
		if form.Version != "" && form.Version != "latest" {
			n, err := strconv.Atoi(form.Version)
			if err != nil || n < 1 || n > b.LatestVersion {
				form.VersionError = fmt.Sprintf("Blueprint %s has versions 1 to %d; leave this empty for the latest.", b.Name, b.LatestVersion)
			}
			version = n
		}
	}
	_, err = s.store.Environment(ctx, project, form.Environment)
	switch {
	case form.Environment == "":
		form.EnvironmentError = "Choose an environment."
	case errors.Is(err, store.ErrNotFound):
		form.EnvironmentError = fmt.Sprintf("The project has no environment named %s.", quoteName(form.Environment))
	case err != nil:
		return err
	}
	if form.invalid() {
		return refuse()
	}
	existing, err := s.store.Deployments(ctx, project)
	if err != nil {
		return err
	}
	for _, d := range existing {
		if d.Blueprint == b.Name && d.Environment == form.Environment {
			form.EnvironmentError = fmt.Sprintf("%s is deployed to %s already (deployment %d). Promote that deployment to a newer version instead.", b.Name, form.Environment, d.ID)
			return refuse()
		}
	}
	d, err := s.store.CreateDeployment(ctx, project, b.Name, version, form.Environment, form.StateKey)
	switch {
	case errors.Is(err, store.ErrInvalidName):
		form.StateKeyError = problemText(err)
	case errors.Is(err, store.ErrConflict):
		form.StateKeyError = problemText(err) + " Give this deployment its own state key."
	case errors.Is(err, store.ErrNotFound):
		form.Problem = problemText(err)
	case err != nil:
		return err
	}
	if form.invalid() {
		return refuse()
	}
	s.logger.Info("deployment created", "project", project, "deployment", d.ID, "blueprint", d.Blueprint, "environment", d.Environment)
	redirect(w, r, deploymentPath(project, d.ID))
	return nil
}

func (s *server) renderDeployments(w http.ResponseWriter, r *http.Request, status int, project string, form deployFormProps, fragment string) error {
	ctx := r.Context()
	p, err := s.store.Project(ctx, project)
	if err != nil {
		return err
	}
	bs, err := s.store.Blueprints(ctx, p.Name)
	if err != nil {
		return err
	}
	es, err := s.store.Environments(ctx, p.Name)
	if err != nil {
		return err
	}
	form.Action = deploymentsPath(p.Name)
	for _, b := range bs {
		form.Blueprints = append(form.Blueprints, b.Name)
	}
	for _, e := range es {
		form.Environments = append(form.Environments, e.Name)
	}
	bp, env := form.Blueprint, form.Environment
	if bp == "" && len(bs) > 0 {
		bp = bs[0].Name
	}
	if env == "" && len(es) > 0 {
		env = es[0].Name
	}
	form.Placeholder = blueprint.DefaultStateKey(p.Name, orPlaceholder(bp, "<blueprint>"), orPlaceholder(env, "<environment>"))
	props := deployListProps{
		Layout:     s.layout(p.Name+": deployments", navProjects),
		Project:    p.Name,
		ProjectURL: projectPath(p.Name),
		Form:       form,
	}
	ds, err := s.store.Deployments(ctx, p.Name)
	if err != nil {
		return err
	}
	for _, d := range ds {
		props.Rows = append(props.Rows, deployRow{
			ID:             d.ID,
			URL:            deploymentPath(p.Name, d.ID),
			Blueprint:      d.Blueprint,
			BlueprintURL:   blueprintVersionPath(p.Name, d.Blueprint, d.BlueprintVersion),
			Version:        d.BlueprintVersion,
			Environment:    d.Environment,
			EnvironmentURL: environmentPath(p.Name, d.Environment),
			StateKey:       d.StateKey,
			Updated:        components.NewTime(d.UpdatedAt),
		})
	}
	return s.render(w, r, status, deployListPage(props), fragment)
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

type deployPageProps struct {
	Layout         layoutProps
	Project        string
	ProjectURL     string
	DeploymentsURL string
	ID             int64
	Blueprint      string
	BlueprintURL   string
	Version        int
	LatestVersion  int
	Environment    string
	EnvironmentURL string
	StateKey       string
	Created        components.Time
	Updated        components.Time
	ZipURL         string
	Diagnostics    []components.Diagnostic
	Files          []fileView
	Problem        string
	Promote        deployPromoteProps
	Findings       []policy.Finding
	Blocking       bool // the environment makes findings block a plan
	RulesURL       string
	Runs           deployRunsProps
}

type deployPromoteProps struct {
	FormURL  string
	Action   string
	From     int
	Versions []diffVersionOption // newer than From, newest first
	To       int
	Files    []fileDiff
	Message  string
	Problem  string
}

// deploymentOf reads the deployment a URL names.
func (s *server) deploymentOf(r *http.Request) (store.Deployment, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return store.Deployment{}, errNotFound
	}
	return s.store.Deployment(r.Context(), r.PathValue("project"), id)
}

// deploymentFiles generates what a run of the deployment at version would use, and checks
// the version and the environment together.
func (s *server) deploymentFiles(ctx context.Context, project string, d store.Deployment, version int) ([]blueprint.File, blueprint.Diagnostics, error) {
	bv, err := s.store.BlueprintVersion(ctx, project, d.Blueprint, version)
	if err != nil {
		return nil, nil, err
	}
	es, err := s.openEnvironment(ctx, project, d.Environment)
	if err != nil {
		return nil, nil, err
	}
	bp, err := blueprint.ParseDocument(bv.Document)
	if err != nil {
		return nil, nil, fmt.Errorf("reading version %d of %s: %w", version, d.Blueprint, err)
	}
	// Names only: Generate never writes secrets, and validation only asks which are set.
	env := es.withSecretNames()
	diags := blueprint.Validate(bp, s.catalog())
	for _, dg := range blueprint.ValidateEnvironment(bp, env, d.StateKey, "") {
		dg.Path = "environment." + dg.Path
		diags = append(diags, dg)
	}
	diags.Sort()
	files, err := blueprint.Generate(bp, blueprint.GenerateOptions{
		Environment: env,
		StateKey:    d.StateKey,
		Header: []string{fmt.Sprintf("Generated by CloudOven from blueprint %q v%d for environment %q. Edit the blueprint or the environment, not this file.",
			d.Blueprint, version, d.Environment)},
	})
	if err != nil {
		return nil, diags, fmt.Errorf("version %d cannot be generated for environment %s: %w", version, d.Environment, err)
	}
	return files, diags, nil
}

// showDeployment answers GET /projects/{project}/deployments/{id}?to=N: the files a run
// would use, and with to a newer version, the diff a promotion to it would make.
func (s *server) showDeployment(w http.ResponseWriter, r *http.Request) error {
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	props, err := s.deployPage(r.Context(), r.PathValue("project"), d)
	if err != nil {
		return err
	}
	if to := r.URL.Query().Get("to"); to != "" {
		s.promotePreview(r.Context(), r.PathValue("project"), d, to, &props.Promote)
	}
	fragment := ""
	if r.Header.Get("HX-Target") == deployPromoteFragment {
		fragment = deployPromoteFragment
	}
	return s.render(w, r, http.StatusOK, deployPage(props), fragment)
}

func (s *server) deployPage(ctx context.Context, project string, d store.Deployment) (deployPageProps, error) {
	b, err := s.store.Blueprint(ctx, project, d.Blueprint)
	if err != nil {
		return deployPageProps{}, err
	}
	props := deployPageProps{
		Layout:         s.layout(fmt.Sprintf("%s → %s", d.Blueprint, d.Environment), navProjects),
		Project:        project,
		ProjectURL:     projectPath(project),
		DeploymentsURL: deploymentsPath(project),
		ID:             d.ID,
		Blueprint:      d.Blueprint,
		BlueprintURL:   blueprintVersionPath(project, d.Blueprint, d.BlueprintVersion),
		Version:        d.BlueprintVersion,
		LatestVersion:  b.LatestVersion,
		Environment:    d.Environment,
		EnvironmentURL: environmentBlueprintPath(project, d.Environment, d.Blueprint, d.BlueprintVersion),
		StateKey:       d.StateKey,
		Created:        components.NewTime(d.CreatedAt),
		Updated:        components.NewTime(d.UpdatedAt),
		ZipURL:         deploymentZipPath(project, d.ID),
		Promote: deployPromoteProps{
			FormURL: deploymentPath(project, d.ID),
			Action:  deploymentPromotePath(project, d.ID),
			From:    d.BlueprintVersion,
		},
	}
	files, diags, err := s.deploymentFiles(ctx, project, d, d.BlueprintVersion)
	props.Diagnostics = diagnosticViews(diags)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return props, err
		}
		props.Problem = capitalize(err.Error())
	}
	for _, f := range files {
		props.Files = append(props.Files, fileView{Name: f.Name, Content: string(f.Content)})
	}
	props.RulesURL = rulesPath(project)
	if props.Findings, props.Blocking, err = s.deploymentGuardrails(ctx, project, d); err != nil && !errors.Is(err, store.ErrNotFound) {
		return props, err
	}
	if props.Runs, err = s.deployRuns(ctx, project, d); err != nil {
		return props, err
	}
	if props.Blocking && len(props.Findings) > 0 {
		props.Runs.PlanBlocked = fmt.Sprintf("Plan will be refused: %s makes the guardrail findings above block plans.", d.Environment)
	}
	versions, err := s.store.BlueprintVersions(ctx, project, d.Blueprint)
	if err != nil {
		return props, err
	}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		if v.Version <= d.BlueprintVersion {
			continue
		}
		label := "v" + strconv.Itoa(v.Version)
		if v.Message != "" {
			label += ": " + v.Message
		}
		props.Promote.Versions = append(props.Promote.Versions, diffVersionOption{Version: v.Version, Label: label})
	}
	if len(props.Promote.Versions) > 0 {
		props.Promote.To = props.Promote.Versions[0].Version
	} else {
		props.Promote.Message = fmt.Sprintf("v%d is the latest version of %s: there is nothing newer to promote to.", d.BlueprintVersion, d.Blueprint)
	}
	return props, nil
}

// promotePreview fills p with the diff of the deployment's files at its version and at to.
func (s *server) promotePreview(ctx context.Context, project string, d store.Deployment, to string, p *deployPromoteProps) {
	n, err := strconv.Atoi(to)
	if err != nil || n <= d.BlueprintVersion {
		p.Problem = fmt.Sprintf("Choose a version newer than v%d to compare with.", d.BlueprintVersion)
		return
	}
	p.To = n
	fromFiles, _, err := s.deploymentFiles(ctx, project, d, d.BlueprintVersion)
	if err != nil {
		p.Problem = capitalize(err.Error())
		return
	}
	toFiles, _, err := s.deploymentFiles(ctx, project, d, n)
	if errors.Is(err, store.ErrNotFound) {
		p.Problem = fmt.Sprintf("%s has no version %d.", d.Blueprint, n)
		return
	}
	if err != nil {
		p.Problem = capitalize(err.Error())
		return
	}
	p.Files = diffFileSets(fromFiles, toFiles)
}

// diffFileSets compares two generations file by file, in the newer side's order, then any
// file only the older side has.
func diffFileSets(from, to []blueprint.File) []fileDiff {
	return newFileDiffs(blueprint.DiffFiles(from, to))
}

// promoteDeployment answers POST /projects/{project}/deployments/{id}/promote with version:
// the deployment is rebound to that newer version.
func (s *server) promoteDeployment(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	refuse := func(status int, problem string) error {
		props, err := s.deployPage(ctx, project, d)
		if err != nil {
			return err
		}
		props.Promote.Problem = problem
		return s.render(w, r, status, deployPage(props), deployPromoteFragment)
	}
	if err := r.ParseForm(); err != nil {
		return refuse(formStatus(err), "The form could not be read: "+formProblem(err))
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("version")))
	if err != nil {
		return refuse(http.StatusUnprocessableEntity, "Choose the version to promote to.")
	}
	_, err = s.store.UpdateDeploymentVersion(ctx, project, d.ID, n)
	switch {
	case errors.Is(err, store.ErrConflict):
		return refuse(http.StatusConflict, fmt.Sprintf("The deployment is at v%d; promote only to a newer version.", d.BlueprintVersion))
	case errors.Is(err, store.ErrNotFound):
		return refuse(http.StatusUnprocessableEntity, fmt.Sprintf("%s has no version %d.", d.Blueprint, n))
	case err != nil:
		return err
	}
	s.logger.Info("deployment promoted", "project", project, "deployment", d.ID, "from", d.BlueprintVersion, "to", n)
	redirect(w, r, deploymentPath(project, d.ID))
	return nil
}

// downloadDeploymentZip answers GET /projects/{project}/deployments/{id}/terraform.zip: the
// files of the deployment page, with a README.
func (s *server) downloadDeploymentZip(w http.ResponseWriter, r *http.Request) error {
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	files, _, err := s.deploymentFiles(r.Context(), r.PathValue("project"), d, d.BlueprintVersion)
	if errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil {
		s.errorPage(w, r, http.StatusUnprocessableEntity, errorProps{
			Title:   "This deployment cannot be generated",
			Message: capitalize(err.Error()),
		})
		return nil
	}
	var buf bytes.Buffer
	if err := blueprint.WriteZip(&buf, files); err != nil {
		return err
	}
	attach(w, "application/zip", fmt.Sprintf("%s-%s-v%d.zip", d.Blueprint, d.Environment, d.BlueprintVersion), buf.Bytes())
	return nil
}
