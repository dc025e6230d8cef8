package runview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// sseFile is the htmx 2 SSE extension the run page loads; the version matches package.json.
const sseFile = "vendor/htmx-ext-sse.2.2.4.min.js"

// runStatusFragment is the part of the run page that changes with the run's state.
const runStatusFragment = "run-status"

type runPageProps struct {
	Layout        page.Layout
	Runner        components.RunnerLabel
	SSEScriptURL  string
	Project       string
	ProjectURL    string
	DeploymentURL string
	Deployment    string // "app → dev"
	Status        runStatusProps
	// Log is the run's log, a section per stage.
	Log []logSection
	// LogURL is the event stream to follow while the run is not finished; empty once it is.
	LogURL string
}

// logSection is the log of one stage: its lines, under a heading that says how the stage
// went and how long it took.
type logSection struct {
	Stage    string // "plan" or "apply"
	Title    string
	State    string
	Duration string
	Lines    []runs.Line
	// Event is the name of the stream's events that bring the stage's new lines.
	Event string
	Open  bool
	// Waiting says what the stage waits for while it is pending.
	Waiting string
}

// runStatusProps is the part of the run page that changes with the run's state: the page
// fetches it again when the event stream says the state changed.
type runStatusProps struct {
	ID    string
	URL   string
	State string
	// StateLabel is how State reads ("no changes" for a plan that ended by itself).
	StateLabel string
	Operation  string
	// Title names what the run does by the stages it reached ("plan → apply").
	Title   string
	Destroy bool
	// NoChanges says the plan found nothing to change and ended by itself.
	NoChanges   bool
	Done        bool
	CreatedBy   string
	ApprovedBy  string
	CanceledBy  string
	Created     components.Time
	Started     components.Time
	Finished    components.Time
	Version     int
	Error       string
	Problem     string // why the last action was refused
	Progress    runProgressProps
	HasSummary  bool
	Summary     runs.Summary
	Changes     changesProps
	Timeline    timelineProps
	Diagnostics diagnosticsProps
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

// runOf reads the run a URL names, which must belong to the URL's project.
func (s *Handlers) runOf(r *http.Request) (store.Run, error) {
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

// showRun answers GET /projects/{project}/runs/{id}; htmx asks for the status fragment only.
func (s *Handlers) showRun(w http.ResponseWriter, r *http.Request) error {
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

func (s *Handlers) runPage(ctx context.Context, run store.Run) (runPageProps, error) {
	d, err := s.store.Deployment(ctx, run.Project, run.DeploymentID)
	if err != nil {
		return runPageProps{}, err
	}
	props := runPageProps{
		Layout: s.frame.Layout(fmt.Sprintf("%s %s", runs.Title(run), run.ID), page.NavProjects,
			page.InProject(run.Project, page.Crumb{Label: fmt.Sprintf("%s → %s", d.Blueprint, d.Environment), URL: paths.Deployment(run.Project, d.ID), TestID: "breadcrumb-deployment"})...),
		SSEScriptURL:  s.frame.AssetURL(sseFile),
		Project:       run.Project,
		ProjectURL:    paths.Project(run.Project),
		DeploymentURL: paths.Deployment(run.Project, d.ID),
		Deployment:    fmt.Sprintf("%s → %s", d.Blueprint, d.Environment),
		Status:        s.runStatus(ctx, run, d.Blueprint),
		Runner:        s.runner,
	}
	lines, err := s.store.RunLog(ctx, run.ID, 0, 0)
	if err != nil {
		return props, err
	}
	live := !run.State.Done() && s.runLogs != nil
	props.Log = logSections(run, lines, props.Status.Timeline, live)
	if live {
		after := 0
		if len(lines) > 0 {
			after = lines[len(lines)-1].Seq
		}
		props.LogURL = paths.RunLogAfter(run.Project, run.ID, after, string(run.State))
	}
	return props, nil
}

func (s *Handlers) runStatus(ctx context.Context, run store.Run, blueprint string) runStatusProps {
	p := runStatusProps{
		ID:         run.ID,
		URL:        paths.Run(run.Project, run.ID),
		State:      string(run.State),
		StateLabel: runs.StateLabel(run),
		Operation:  string(run.Operation),
		Title:      runs.Title(run),
		Destroy:    run.Operation == store.RunOpDestroy,
		NoChanges:  runs.NoChanges(run),
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
	p.Timeline = s.timeline(ctx, run)
	if ds, err := s.store.RunDiagnostics(ctx, run.ID); err != nil {
		s.logger.Error("reading a run's diagnostics", "run", run.ID, "err", err)
	} else {
		p.Diagnostics = buildDiagnostics(ds, run.Project, blueprint, p.Destroy)
	}
	if len(run.Summary) > 0 && json.Unmarshal(run.Summary, &p.Summary) == nil {
		p.HasSummary = true
		p.Changes = s.changes(ctx, run, p.Summary)
	}
	if s.runs != nil {
		p.CanApprove = run.State.CanMoveTo(store.RunApproved)
		// A running plan may end discarded too, but only by itself (no changes).
		p.CanDiscard = run.State == store.RunPlanned
		p.CanCancel = !p.CanDiscard && run.State.CanMoveTo(store.RunCanceled)
		// A run that ended before its stage completed (a failed check, a cancel) has no
		// progress to show: "0 changes planned" would read as a plan's finding.
		if pr, ok := s.runs.Progress(run.ID); ok && (pr.Complete || !run.State.Done()) {
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
func (s *Handlers) runAction(verb string, act func(RunService, context.Context, string, string) (store.Run, error)) page.HandlerFunc {
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
			return refuse(http.StatusServiceUnavailable, components.RunsNotConfigured)
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

func (s *Handlers) approveRun(w http.ResponseWriter, r *http.Request) error {
	return s.runAction("approved", RunService.Approve)(w, r)
}

func (s *Handlers) discardRun(w http.ResponseWriter, r *http.Request) error {
	return s.runAction("discarded", RunService.Discard)(w, r)
}

func (s *Handlers) cancelRun(w http.ResponseWriter, r *http.Request) error {
	return s.runAction("canceled", RunService.Cancel)(w, r)
}

// timeline is the run's timeline now; a store that cannot say the steps leaves the stage
// rows the run itself has.
func (s *Handlers) timeline(ctx context.Context, run store.Run) timelineProps {
	steps, err := s.store.RunSteps(ctx, run.ID)
	if err != nil {
		s.logger.Error("reading a run's steps", "run", run.ID, "err", err)
	}
	return buildTimeline(run, steps, time.Now())
}

// logSections splits a run's log at the line CloudOven writes when the apply starts: the
// plan's lines, then the apply's from that line on. A live run that may still be applied
// has its apply section waiting. Live, every section is open; finished, the stage that
// failed is, else the last one.
func logSections(run store.Run, lines []store.RunLogLine, tl timelineProps, live bool) []logSection {
	plan, apply := stageSection(run, "plan", tl), stageSection(run, "apply", tl)
	cur := &plan
	for _, l := range lines {
		if l.Text == runs.ApplySeparator && cur == &plan {
			cur = &apply
		}
		cur.Lines = append(cur.Lines, runs.Line{Seq: l.Seq, Text: l.Text})
	}
	out := []logSection{plan}
	if len(apply.Lines) > 0 || live && run.State != store.RunDiscarded {
		out = append(out, apply)
	}
	failed := -1
	for i := range out {
		if out[i].State == "failed" || out[i].State == "canceled" {
			failed = i
		}
	}
	for i := range out {
		switch {
		case live:
			out[i].Open = true
		case failed >= 0:
			out[i].Open = i == failed
		default:
			out[i].Open = i == len(out)-1
		}
	}
	return out
}

// stageSection is the log section of stage ("plan" or "apply") without its lines.
func stageSection(run store.Run, stage string, tl timelineProps) logSection {
	destroy := run.Operation == store.RunOpDestroy
	sec := logSection{Stage: stage, State: stageState(tl, stage), Duration: stageDuration(tl, stage)}
	if stage == "plan" {
		sec.Title, sec.Event, sec.Waiting = stepLabel(runs.StepPlanPlan, destroy), lineEvent, "The plan starts once the run leaves the queue."
	} else {
		sec.Title, sec.Event, sec.Waiting = stepLabel(runs.StepApplyApply, destroy), applyLineEvent, "The apply starts once the plan is approved."
	}
	return sec
}
