package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// RunService is what the run pages ask of the run lifecycle; *runs.Service has it.
type RunService interface {
	Plan(ctx context.Context, project string, deploymentID int64, user string, destroy bool) (store.Run, error)
	Approve(ctx context.Context, runID, user string) (store.Run, error)
	Discard(ctx context.Context, runID, user string) (store.Run, error)
	Cancel(ctx context.Context, runID, user string) (store.Run, error)
	Progress(runID string) (runs.Progress, bool)
}

// RunLogs follows a run's log; *runs.Hub has it.
type RunLogs interface {
	Subscribe(ctx context.Context, runID string, afterSeq int) (<-chan runs.Line, error)
}

// sseFile is the htmx 2 SSE extension the run page loads; the version matches package.json.
const sseFile = "vendor/htmx-ext-sse.2.2.4.min.js"

const (
	runStatusFragment  = "run-status"
	deployRunsFragment = "deploy-runs"
)

// runsNotConfigured is what pages and refused requests say when the server has no runner.
const runsNotConfigured = "Runs are not configured on this server: it was started without a runner, so it can show and download the files but not plan or apply them."

type runPageProps struct {
	Layout        page.Layout
	Runner        components.RunnerLabel
	SSEScriptURL  string
	Project       string
	ProjectURL    string
	DeploymentURL string
	Deployment    string // "app → dev"
	Status        runStatusProps
	Log           []runs.Line
	// LogURL is the event stream to follow while the run is not finished; empty once it is.
	LogURL string
}

// runStatusProps is the part of the run page that changes with the run's state: the page
// fetches it again when the event stream says the state changed.
type runStatusProps struct {
	ID         string
	URL        string
	State      string
	Operation  string
	Done       bool
	CreatedBy  string
	ApprovedBy string
	CanceledBy string
	Created    components.Time
	Started    components.Time
	Finished   components.Time
	Version    int
	Error      string
	Problem    string // why the last action was refused
	Progress   runProgressProps
	HasSummary bool
	Summary    runs.Summary
	// The actions the run's state allows (the template also checks the user's role).
	CanApprove bool
	CanDiscard bool
	CanCancel  bool
	ApproveURL string
	DiscardURL string
	CancelURL  string
}

type runProgressProps struct {
	Known     bool
	Operation string
	Done      int
	Total     int
	Complete  bool
}

// runRow is a run in the deployment page's list.
type runRow struct {
	ID        string
	URL       string
	Operation string
	State     string
	CreatedBy string
	Created   components.Time
}

// stateVersionRow is a state version in the deployment page's list.
type stateVersionRow struct {
	Version   int
	Serial    int64
	Lineage   string
	Size      string
	Resources int
	Outputs   []stateOutputView
	Created   components.Time
	RunID     string
	RunURL    string
}

type stateOutputView struct {
	Name      string
	Sensitive bool
}

// runOf reads the run a URL names, which must belong to the URL's project.
func (s *server) runOf(r *http.Request) (store.Run, error) {
	id := r.PathValue("id")
	run, err := s.store.Run(r.Context(), id)
	if err != nil {
		if errors.Is(err, store.ErrInvalidName) {
			return store.Run{}, page.ErrNotFound
		}
		return store.Run{}, err
	}
	if run.Project != r.PathValue("project") {
		return store.Run{}, page.ErrNotFound
	}
	return run, nil
}

// createRun answers POST /projects/{project}/deployments/{id}/runs with op=plan or
// op=destroy: the run is queued and the browser goes to its page.
func (s *server) createRun(w http.ResponseWriter, r *http.Request) error {
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
		props.Runs.Problem = problem
		return s.frame.Render(w, r, status, deployPage(props), deployRunsFragment)
	}
	if s.runs == nil {
		return refuse(http.StatusServiceUnavailable, runsNotConfigured)
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return refuse(page.FormStatus(err), page.FormRefusal(err))
	}
	destroy := false
	switch op := r.PostForm.Get("op"); op {
	case "plan", "":
	case "destroy":
		destroy = true
	default:
		return refuse(http.StatusUnprocessableEntity, fmt.Sprintf("CloudOven has no run operation %s; choose plan or destroy.", page.QuoteName(op)))
	}
	// The run service refuses a plan the guardrails block; the page only says so.
	run, err := s.runs.Plan(ctx, project, d.ID, page.SignedInUser(ctx), destroy)
	var blocked *deployment.BlockedError
	if errors.As(err, &blocked) {
		return refuse(http.StatusConflict, fmt.Sprintf("The plan was refused: %s makes guardrail findings block plans, and this deployment has %d. Fix them in the blueprint, or change the rules or the environment.", blocked.Environment, len(blocked.Findings)))
	}
	if err != nil {
		return err
	}
	s.logger.Info("run queued", "project", project, "deployment", d.ID, "run", run.ID, "operation", run.Operation)
	page.Redirect(w, r, paths.Run(project, run.ID))
	return nil
}

// showRun answers GET /projects/{project}/runs/{id}; htmx asks for the status fragment only.
func (s *server) showRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.runOf(r)
	if err != nil {
		return err
	}
	props, err := s.runPage(r.Context(), run)
	if err != nil {
		return err
	}
	return s.frame.Render(w, r, http.StatusOK, runPage(props), runStatusFragment)
}

func (s *server) runPage(ctx context.Context, run store.Run) (runPageProps, error) {
	d, err := s.store.Deployment(ctx, run.Project, run.DeploymentID)
	if err != nil {
		return runPageProps{}, err
	}
	props := runPageProps{
		Layout: s.frame.Layout(fmt.Sprintf("%s %s", run.Operation, run.ID), page.NavProjects,
			page.InProject(run.Project, page.Crumb{Label: fmt.Sprintf("%s → %s", d.Blueprint, d.Environment), URL: paths.Deployment(run.Project, d.ID), TestID: "breadcrumb-deployment"})...),
		SSEScriptURL:  s.assets.URL(sseFile),
		Project:       run.Project,
		ProjectURL:    paths.Project(run.Project),
		DeploymentURL: paths.Deployment(run.Project, d.ID),
		Deployment:    fmt.Sprintf("%s → %s", d.Blueprint, d.Environment),
		Status:        s.runStatus(run),
		Runner:        s.runner,
	}
	lines, err := s.store.RunLog(ctx, run.ID, 0, 0)
	if err != nil {
		return props, err
	}
	for _, l := range lines {
		props.Log = append(props.Log, runs.Line{Seq: l.Seq, Text: l.Text})
	}
	if !run.State.Done() && s.runLogs != nil {
		after := 0
		if len(lines) > 0 {
			after = lines[len(lines)-1].Seq
		}
		props.LogURL = paths.RunLogAfter(run.Project, run.ID, after, string(run.State))
	}
	return props, nil
}

func (s *server) runStatus(run store.Run) runStatusProps {
	p := runStatusProps{
		ID:         run.ID,
		URL:        paths.Run(run.Project, run.ID),
		State:      string(run.State),
		Operation:  string(run.Operation),
		Done:       run.State.Done(),
		CreatedBy:  run.CreatedBy,
		ApprovedBy: run.ApprovedBy,
		CanceledBy: run.CanceledBy,
		Created:    components.NewTime(run.CreatedAt),
		Started:    components.NewTime(run.StartedAt),
		Finished:   components.NewTime(run.FinishedAt),
		Version:    run.BlueprintVersion,
		Error:      run.Error,
		ApproveURL: paths.RunApprove(run.Project, run.ID),
		DiscardURL: paths.RunDiscard(run.Project, run.ID),
		CancelURL:  paths.RunCancel(run.Project, run.ID),
	}
	if len(run.Summary) > 0 && json.Unmarshal(run.Summary, &p.Summary) == nil {
		p.HasSummary = true
	}
	if s.runs != nil {
		p.CanApprove = run.State.CanMoveTo(store.RunApproved)
		p.CanDiscard = run.State.CanMoveTo(store.RunDiscarded)
		p.CanCancel = !p.CanDiscard && run.State.CanMoveTo(store.RunCanceled)
		if pr, ok := s.runs.Progress(run.ID); ok {
			p.Progress = progressProps(pr)
		}
	}
	return p
}

func progressProps(p runs.Progress) runProgressProps {
	return runProgressProps{Known: true, Operation: p.Operation, Done: p.Done, Total: p.Total, Complete: p.Complete}
}

// runAction answers the POSTs that move a run on: approve, discard and cancel. A run whose
// state does not allow the action is 409 with the run's status saying why.
func (s *server) runAction(verb string, act func(RunService, context.Context, string, string) (store.Run, error)) page.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		run, err := s.runOf(r)
		if err != nil {
			return err
		}
		refuse := func(status int, problem string) error {
			props, err := s.runPage(ctx, run)
			if err != nil {
				return err
			}
			props.Status.Problem = problem
			return s.frame.Render(w, r, status, runPage(props), runStatusFragment)
		}
		if s.runs == nil {
			return refuse(http.StatusServiceUnavailable, runsNotConfigured)
		}
		done, err := act(s.runs, ctx, run.ID, page.SignedInUser(ctx))
		if errors.Is(err, store.ErrConflict) {
			if cur, rerr := s.store.Run(ctx, run.ID); rerr == nil {
				run = cur
			}
			return refuse(http.StatusConflict, fmt.Sprintf("The run is %s, so it cannot be %s: %s", run.State, verb, conflictHint(verb)))
		}
		if err != nil {
			return err
		}
		s.logger.Info("run "+verb, "project", run.Project, "run", run.ID, "state", done.State)
		page.Redirect(w, r, paths.Run(run.Project, run.ID))
		return nil
	}
}

func conflictHint(verb string) string {
	switch verb {
	case "approved", "discarded":
		return "only a planned run waits for approval. Reload the page to see where it is."
	default:
		return "it has finished already. Reload the page to see how it ended."
	}
}

func (s *server) approveRun(w http.ResponseWriter, r *http.Request) error {
	return s.runAction("approved", RunService.Approve)(w, r)
}

func (s *server) discardRun(w http.ResponseWriter, r *http.Request) error {
	return s.runAction("discarded", RunService.Discard)(w, r)
}

func (s *server) cancelRun(w http.ResponseWriter, r *http.Request) error {
	return s.runAction("canceled", RunService.Cancel)(w, r)
}

// deployRunsProps is the deployment page's runs section: its buttons, its runs and its
// state versions.
type deployRunsProps struct {
	Configured    bool
	Runner        components.RunnerLabel
	Action        string
	PlanBlocked   string // why Plan would be refused, shown beside it
	Problem       string
	Rows          []runRow
	StateVersions []stateVersionRow
}

// deployRuns lists the deployment's runs and state versions for its page.
func (s *server) deployRuns(ctx context.Context, project string, d store.Deployment) (deployRunsProps, error) {
	p := deployRunsProps{Configured: s.runs != nil, Runner: s.runner, Action: paths.DeploymentRuns(project, d.ID)}
	rs, err := s.store.DeploymentRuns(ctx, d.ID, 20)
	if err != nil {
		return p, err
	}
	for _, run := range rs {
		p.Rows = append(p.Rows, runRow{
			ID: run.ID, URL: paths.Run(project, run.ID), Operation: string(run.Operation),
			State: string(run.State), CreatedBy: run.CreatedBy, Created: components.NewTime(run.CreatedAt),
		})
	}
	vs, err := s.store.StateVersions(ctx, d.ID, 20)
	if err != nil {
		return p, err
	}
	for _, v := range vs {
		row := stateVersionRow{
			Version: v.Version, Serial: v.Serial, Lineage: shortLineage(v.Lineage), Size: byteSize(v.Size),
			Resources: v.Resources, Created: components.NewTime(v.CreatedAt), RunID: v.RunID,
		}
		if v.RunID != "" {
			row.RunURL = paths.Run(project, v.RunID)
		}
		for name, o := range v.Outputs {
			row.Outputs = append(row.Outputs, stateOutputView{Name: name, Sensitive: o.Sensitive})
		}
		sortOutputs(row.Outputs)
		p.StateVersions = append(p.StateVersions, row)
	}
	return p, nil
}

func sortOutputs(os []stateOutputView) {
	for i := 1; i < len(os); i++ {
		for j := i; j > 0 && os[j].Name < os[j-1].Name; j-- {
			os[j], os[j-1] = os[j-1], os[j]
		}
	}
}

func shortLineage(l string) string {
	if len(l) > 8 {
		return l[:8]
	}
	return l
}

func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	default:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
}

// actionLabel is how the plan summary names a resource change's actions.
func actionLabel(actions []string) string {
	switch strings.Join(actions, ",") {
	case "create":
		return "add"
	case "update":
		return "change"
	case "delete":
		return "destroy"
	case "delete,create", "create,delete":
		return "replace"
	case "read":
		return "read"
	}
	return strings.Join(actions, ", ")
}
