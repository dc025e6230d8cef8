package deployments

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
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// A deployment binds a blueprint version to an environment. Its page shows exactly the files
// a run uses, resolved by package deployment as the run service's preparer resolves them: the
// version's Terraform with the environment's backend (and the deployment's state key) and
// terraform.tfvars with the environment's values. Secrets are names to the generator, never
// values, so no file or page can carry one.

const (
	deployFormFragment    = "deploy-form"
	deployPromoteFragment = "deploy-promote"
)

type deployListProps struct {
	Layout     page.Layout
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
func (s *Handlers) listDeployments(w http.ResponseWriter, r *http.Request) error {
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
func (s *Handlers) createDeployment(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderDeployments(w, r, page.FormStatus(err), project, deployFormProps{
			Problem: page.FormRefusal(err),
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
		form.BlueprintError = fmt.Sprintf("The project has no blueprint named %s.", page.QuoteName(form.Blueprint))
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
		form.EnvironmentError = fmt.Sprintf("The project has no environment named %s.", page.QuoteName(form.Environment))
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
		form.StateKeyError = page.ProblemText(err)
	case errors.Is(err, store.ErrConflict):
		form.StateKeyError = page.ProblemText(err) + " Give this deployment its own state key."
	case errors.Is(err, store.ErrNotFound):
		form.Problem = page.ProblemText(err)
	case err != nil:
		return err
	}
	if form.invalid() {
		return refuse()
	}
	s.logger.Info("deployment created", "project", project, "deployment", d.ID, "blueprint", d.Blueprint, "environment", d.Environment)
	page.Redirect(w, r, paths.Deployment(project, d.ID))
	return nil
}

func (s *Handlers) renderDeployments(w http.ResponseWriter, r *http.Request, status int, project string, form deployFormProps, fragment string) error {
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
	form.Action = paths.Deployments(p.Name)
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
		Layout:     s.frame.Layout(p.Name+": deployments", page.NavProjects, page.InProject(p.Name)...),
		Project:    p.Name,
		ProjectURL: paths.Project(p.Name),
		Form:       form,
	}
	ds, err := s.store.Deployments(ctx, p.Name)
	if err != nil {
		return err
	}
	for _, d := range ds {
		props.Rows = append(props.Rows, deployRow{
			ID:             d.ID,
			URL:            paths.Deployment(p.Name, d.ID),
			Blueprint:      d.Blueprint,
			BlueprintURL:   paths.BlueprintVersion(p.Name, d.Blueprint, d.BlueprintVersion),
			Version:        d.BlueprintVersion,
			Environment:    d.Environment,
			EnvironmentURL: paths.Environment(p.Name, d.Environment),
			StateKey:       d.StateKey,
			Updated:        components.NewTime(d.UpdatedAt),
		})
	}
	return s.frame.Render(w, r, status, deployListPage(props), fragment)
}

func orPlaceholder(s, placeholder string) string {
	if s == "" {
		return placeholder
	}
	return s
}

type deployPageProps struct {
	Layout         page.Layout
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
	Files          []components.File
	Problem        string
	Promote        deployPromoteProps
	Findings       []policy.Finding
	Blocking       bool   // the environment makes findings block a plan
	AlwaysBlocking bool   // some findings block every plan, whatever the environment says
	StateAddress   string // where runs reach the deployment's state at CloudOven; "" when not known
	RulesURL       string
	Runs           deployRunsProps
	Lock           deployLockProps
}

type deployPromoteProps struct {
	FormURL  string
	Action   string
	From     int
	Versions []components.DiffVersion // newer than From, newest first
	To       int
	Files    []components.FileDiff
	// Replacements are the resources the promotion replaces (blueprint.Replacements).
	Replacements []components.Replacement
	Message      string
	Problem      string
}

// deploymentOf reads the deployment a URL names.
func (s *Handlers) deploymentOf(r *http.Request) (store.Deployment, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return store.Deployment{}, page.ErrNotFound
	}
	return s.store.Deployment(r.Context(), r.PathValue("project"), id)
}

// showDeployment answers GET /projects/{project}/deployments/{id}?to=N: the files a run
// would use, and with to a newer version, the diff a promotion to it would make.
func (s *Handlers) showDeployment(w http.ResponseWriter, r *http.Request) error {
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
	return s.frame.Render(w, r, http.StatusOK, deployPage(props), fragment)
}

func (s *Handlers) deployPage(ctx context.Context, project string, d store.Deployment) (deployPageProps, error) {
	b, err := s.store.Blueprint(ctx, project, d.Blueprint)
	if err != nil {
		return deployPageProps{}, err
	}
	props := deployPageProps{
		Layout: s.frame.Layout(fmt.Sprintf("%s → %s", d.Blueprint, d.Environment), page.NavProjects,
			page.InProject(project, page.Crumb{Label: "Deployments", URL: paths.Deployments(project), TestID: "breadcrumb-deployments"})...),
		Project:        project,
		ProjectURL:     paths.Project(project),
		DeploymentsURL: paths.Deployments(project),
		ID:             d.ID,
		Blueprint:      d.Blueprint,
		BlueprintURL:   paths.BlueprintVersion(project, d.Blueprint, d.BlueprintVersion),
		Version:        d.BlueprintVersion,
		LatestVersion:  b.LatestVersion,
		Environment:    d.Environment,
		EnvironmentURL: paths.EnvironmentBlueprint(project, d.Environment, d.Blueprint, d.BlueprintVersion),
		StateKey:       d.StateKey,
		Created:        components.NewTime(d.CreatedAt),
		Updated:        components.NewTime(d.UpdatedAt),
		ZipURL:         paths.DeploymentZip(project, d.ID),
		Promote: deployPromoteProps{
			FormURL: paths.Deployment(project, d.ID),
			Action:  paths.DeploymentPromote(project, d.ID),
			From:    d.BlueprintVersion,
		},
	}
	res, err := s.resolver.Resolve(ctx, project, d.ID, d.BlueprintVersion)
	props.Diagnostics = components.Diagnostics(res.Diagnostics)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return props, err
		}
		props.Problem = page.Capitalize(err.Error())
	}
	for _, f := range res.Files {
		props.Files = append(props.Files, components.NewFile(f.Name, f.Content))
	}
	props.RulesURL = paths.Rules(project)
	props.Findings, props.Blocking = res.Verdict.Findings, res.Verdict.Blocking
	for _, f := range res.Verdict.Findings {
		props.AlwaysBlocking = props.AlwaysBlocking || f.Blocks
	}
	props.StateAddress = s.resolver.StateAddress(project, d.ID)
	if props.Runs, err = s.deployRuns(ctx, project, d); err != nil {
		return props, err
	}
	if props.Lock, err = s.lockSection(ctx, project, d); err != nil {
		return props, err
	}
	props.Runs.State = stateKeeping(res.State)
	switch plan, destroy := res.Verdict.Err(), res.Verdict.RunErr(); {
	case res.State.Err() != nil:
		props.Runs.PlanBlocked = fmt.Sprintf("Plan and Plan destroy will be refused: nothing would keep the state of their runs (see State versions below). Choose a backend for %s on its page.", d.Environment)
	case destroy != nil:
		props.Runs.PlanBlocked = fmt.Sprintf("Plan and destroy will be refused: %s.", destroy)
	case plan != nil:
		props.Runs.PlanBlocked = fmt.Sprintf("Plan will be refused: %s.", plan)
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
		props.Promote.Versions = append(props.Promote.Versions, components.DiffVersion{Version: v.Version, Label: label})
	}
	if len(props.Promote.Versions) > 0 {
		props.Promote.To = props.Promote.Versions[0].Version
	} else {
		props.Promote.Message = fmt.Sprintf("v%d is the latest version of %s: there is nothing newer to promote to.", d.BlueprintVersion, d.Blueprint)
	}
	return props, nil
}

// promotePreview fills p with the diff of the deployment's files at its version and at to.
func (s *Handlers) promotePreview(ctx context.Context, project string, d store.Deployment, to string, p *deployPromoteProps) {
	n, err := strconv.Atoi(to)
	if err != nil || n <= d.BlueprintVersion {
		p.Problem = fmt.Sprintf("Choose a version newer than v%d to compare with.", d.BlueprintVersion)
		return
	}
	p.To = n
	resolver := s.resolver
	older, err := resolver.Resolve(ctx, project, d.ID, d.BlueprintVersion)
	if err != nil {
		p.Problem = page.Capitalize(err.Error())
		return
	}
	newer, err := resolver.Resolve(ctx, project, d.ID, n)
	if errors.Is(err, store.ErrNotFound) {
		p.Problem = fmt.Sprintf("%s has no version %d.", d.Blueprint, n)
		return
	}
	if err != nil {
		p.Problem = page.Capitalize(err.Error())
		return
	}
	p.Files = diffFileSets(older.Files, newer.Files)
	p.Replacements = components.NewReplacements(blueprint.Replacements(older.Blueprint, newer.Blueprint, newer.Catalog))
}

// diffFileSets compares two generations file by file, in the newer side's order, then any
// file only the older side has.
func diffFileSets(from, to []blueprint.File) []components.FileDiff {
	return components.NewFileDiffs(blueprint.DiffFiles(from, to))
}

// promoteDeployment answers POST /projects/{project}/deployments/{id}/promote with version:
// the deployment is rebound to that newer version.
func (s *Handlers) promoteDeployment(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	project := r.PathValue("project")
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	refuse := func(status int, problem string) error {
		props, err := s.deployPage(ctx, project, d)
		if err != nil {
			return err
		}
		props.Promote.Problem = problem
		return s.frame.Render(w, r, status, deployPage(props), deployPromoteFragment)
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return refuse(page.FormStatus(err), page.FormRefusal(err))
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
	page.Redirect(w, r, paths.Deployment(project, d.ID))
	return nil
}

// downloadDeploymentZip answers GET /projects/{project}/deployments/{id}/terraform.zip: the
// files of the deployment page, with a README.
func (s *Handlers) downloadDeploymentZip(w http.ResponseWriter, r *http.Request) error {
	d, err := s.deploymentOf(r)
	if err != nil {
		return err
	}
	res, err := s.resolver.Resolve(r.Context(), r.PathValue("project"), d.ID, d.BlueprintVersion)
	if errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil {
		s.frame.ErrorPage(w, r, http.StatusUnprocessableEntity, page.ErrorProps{
			Title:   "This deployment cannot be generated",
			Message: page.Capitalize(err.Error()),
		})
		return nil
	}
	var buf bytes.Buffer
	if err := blueprint.WriteZip(&buf, res.Files); err != nil {
		return err
	}
	body := buf.Bytes()
	// The versions its runs install, so the zip runs with them too.
	lock, err := s.store.DeploymentLock(r.Context(), d.ID)
	if err != nil {
		return err
	}
	if lock.Lock != nil {
		if body, err = zipWithLock(body, lock.Lock); err != nil {
			return err
		}
	}
	page.Attach(w, "application/zip", fmt.Sprintf("%s-%s-v%d.zip", d.Blueprint, d.Environment, d.BlueprintVersion), body)
	return nil
}
