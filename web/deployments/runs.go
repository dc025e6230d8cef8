package deployments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// deployRunsFragment is the deployment page's runs section, answered alone to htmx.
const deployRunsFragment = "deploy-runs"

// createRun answers POST /projects/{project}/deployments/{id}/runs with op=plan or
// op=destroy: the run is queued and the browser goes to its page.
func (s *Handlers) createRun(w http.ResponseWriter, r *http.Request) error {
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
		return refuse(http.StatusServiceUnavailable, components.RunsNotConfigured)
	}
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return refuse(page.FormStatus(err), page.FormRefusal(err))
	}
	destroy := false
	switch op := r.PostForm.Get("op"); op {
	case "plan", "":
	case "destroy":
		destroy = true
		if typed := r.PostForm.Get(destroyConfirmField); !destroyConfirmed(d, typed) {
			return refuse(http.StatusUnprocessableEntity, destroyRefusal(d, typed))
		}
	default:
		return refuse(http.StatusUnprocessableEntity, fmt.Sprintf("CloudOven has no run operation %s; choose plan or destroy.", page.QuoteName(op)))
	}
	// The run service refuses a plan the guardrails block, and one whose state nothing would
	// keep; the page only says so.
	run, err := s.runs.Plan(ctx, project, d.ID, page.SignedInUser(ctx), destroy)
	var lost *deployment.StateLossError
	if errors.As(err, &lost) {
		return refuse(http.StatusConflict, "The plan was refused: "+lost.Error()+".")
	}
	var blocked *deployment.BlockedError
	if errors.As(err, &blocked) {
		what := "plan"
		if destroy {
			what = "destroy"
		}
		return refuse(http.StatusConflict, fmt.Sprintf("The %s was refused: %s.", what, blocked.Error()))
	}
	if err != nil {
		return err
	}
	s.logger.Info("run queued", "project", project, "deployment", d.ID, "run", run.ID, "operation", run.Operation)
	page.Redirect(w, r, paths.Run(project, run.ID))
	return nil
}

// deployRunsProps is the deployment page's runs section: its buttons, its runs, its state
// versions and its state lock.
type deployRunsProps struct {
	Configured    bool
	Runner        components.RunnerLabel
	Deployment    string // "app → dev", what a destroy's confirmation asks for
	Action        string
	PlanBlocked   string // why Plan would be refused, shown beside it
	Problem       string
	Rows          []runRow
	State         stateKeepingView
	StateVersions []stateVersionRow
	Lock          stateLockProps
}

// stateKeepingView says who keeps the deployment's state: Keeper is a deployment.Keeper (""
// when the deployment cannot be resolved), Text the page's sentence, and Empty what the
// state versions list says when it has none.
type stateKeepingView struct {
	Keeper string
	Text   string
	Empty  string
}

// stateKeeping builds the deployment page's sentence on who keeps the state. Only CloudOven's
// own backend keeps every state a run writes, so only then does the page say so.
func stateKeeping(k deployment.StateKeeping) stateKeepingView {
	v := stateKeepingView{Keeper: string(k.Keeper), Empty: "No state versions."}
	switch k.Keeper {
	case deployment.KeptByCloudOven:
		v.Text = "CloudOven keeps every state a run writes: runs use its own http backend, which records each state as a numbered version below."
		v.Empty = "No state yet: CloudOven keeps every state a run writes through its own backend."
	case deployment.KeptByBackend:
		v.Text = fmt.Sprintf("The %s backend of environment %s keeps this deployment's state", k.Backend, k.Environment)
		if k.Where != "" {
			v.Text += " (" + k.Where + ")"
		}
		v.Text += ", outside CloudOven: CloudOven keeps no copy of it, and lists below only states written through its own backend."
		v.Empty = fmt.Sprintf("No state versions in CloudOven: the %s backend keeps this deployment's state.", k.Backend)
	case deployment.KeptNowhere:
		has := "has no backend"
		if k.Backend != "" {
			has = "has a " + k.Backend + " backend"
		}
		v.Text = fmt.Sprintf("Nothing keeps this deployment's state: environment %s %s, so Terraform would write the state into the run's workspace, "+
			"which is removed when the run ends. Plan is refused until the environment uses CloudOven's backend (http) or a remote one.", k.Environment, has)
		v.Empty = "No state versions: runs are refused until the environment has a backend that keeps the state."
	}
	return v
}

// deployRuns lists the deployment's runs, state versions and state lock for its page.
func (s *Handlers) deployRuns(ctx context.Context, project string, d store.Deployment) (deployRunsProps, error) {
	p := deployRunsProps{Configured: s.runs != nil, Runner: s.runner, Action: paths.DeploymentRuns(project, d.ID), Deployment: deploymentName(d)}
	rs, err := s.store.DeploymentRuns(ctx, d.ID, 20)
	if err != nil {
		return p, err
	}
	for _, run := range rs {
		p.Rows = append(p.Rows, runRow{
			ID: run.ID, URL: paths.Run(project, run.ID), Operation: runs.Title(run), Destroy: run.Operation == store.RunOpDestroy,
			State: string(run.State), StateLabel: runs.StateLabel(run), CreatedBy: run.CreatedBy, Created: components.NewTime(run.CreatedAt),
			Version: run.BlueprintVersion, ApprovedBy: run.ApprovedBy, Duration: runDuration(run), Changes: runChanges(run),
		})
	}
	vs, err := s.store.StateVersions(ctx, d.ID, 20)
	if err != nil {
		return p, err
	}
	for _, v := range vs {
		row := stateVersionRow{
			Version: v.Version, Serial: v.Serial, Lineage: shortLineage(v.Lineage), Size: page.ByteSize(v.Size),
			Resources: v.Resources, Created: components.NewTime(v.CreatedAt), RunID: v.RunID,
			URL: paths.DeploymentStateVersion(project, d.ID, v.Version),
		}
		if v.Version > 1 {
			row.CompareURL = paths.DeploymentStateCompare(project, d.ID, v.Version-1, v.Version)
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
	p.Lock, err = s.stateLock(ctx, project, d)
	return p, err
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

// runRow is a run in the deployment page's list.
type runRow struct {
	ID        string
	URL       string
	Operation string // what the run does, as its page's title says it
	Destroy   bool
	State     string
	// StateLabel is how the State reads: "no changes" for a plan that ended by itself.
	StateLabel string
	CreatedBy  string
	Created    components.Time
	// Version is the blueprint version the run planned; ApprovedBy who approved it ("" when
	// nobody did).
	Version    int
	ApprovedBy string
	// Duration is how long it took, from the start of its plan to its end, the wait for an
	// approval included ("" before it
	// ended or when it never started); Changes what its plan found ("+1 ~2 -0"; "" without
	// a plan).
	Duration string
	Changes  string
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
	// URL is the version's page; CompareURL compares it with the version before ("" for
	// the first).
	URL        string
	CompareURL string
}

type stateOutputView struct {
	Name      string
	Sensitive bool
}

// runDuration is how long a run that ended took, rounded for reading: 4.9s, 2m10s.
func runDuration(r runs.Run) string {
	if r.StartedAt.IsZero() || r.FinishedAt.IsZero() || r.FinishedAt.Before(r.StartedAt) {
		return ""
	}
	d := r.FinishedAt.Sub(r.StartedAt)
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// runChanges is what a run's plan found, as terraform counts it: "+1 ~2 -0".
func runChanges(r runs.Run) string {
	var sum runs.Summary
	if len(r.Summary) == 0 || json.Unmarshal(r.Summary, &sum) != nil {
		return ""
	}
	return fmt.Sprintf("+%d ~%d -%d", sum.Add, sum.Change, sum.Destroy)
}
