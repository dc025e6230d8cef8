package runs

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

// Run is a run as the store keeps it.
type Run = store.Run

// Store is the persistence the Service needs; *store.Store has it.
type Store interface {
	LogStore
	Deployment(ctx context.Context, project string, id int64) (store.Deployment, error)
	CreateRun(ctx context.Context, r store.Run) (store.Run, error)
	TransitionRun(ctx context.Context, id string, tr store.RunTransition) (store.Run, error)
	RunPlan(ctx context.Context, id string) (plan, planJSON []byte, err error)
	RunsInState(ctx context.Context, states ...store.RunState) ([]store.Run, error)
	MarkRunsInterrupted(ctx context.Context, reason string) ([]store.Run, error)
}

// stateUnlocker releases a deployment's state lock; *store.Store implements it.
type stateUnlocker interface {
	ForceUnlockState(ctx context.Context, deploymentID int64) (held store.StateLock, ok bool, err error)
}

// Authorizer hands out the credentials a run's terraform uses with
// CloudOven's state backend, valid until revoked.
type Authorizer interface {
	Issue(project string, deploymentID int64, runID string) (username, password string)
	Revoke(runID string)
}

// Prepared is what a run of a deployment needs, as a PrepareFunc returns it.
type Prepared struct {
	// Files are the generated files by name.
	Files map[string][]byte
	// Env are the environment variables terraform runs with (provider
	// credentials, TF_VAR_ secrets).
	Env map[string]string
	// Secrets are the secret values among Env, redacted from the run's log.
	Secrets []string
	// Image and NetworkMode are the deployment's environment's runner
	// settings; empty leaves Options.Image and Options.NetworkMode.
	Image       string
	NetworkMode string
	// Verdict is what the project's guardrails say of the deployment as
	// prepared. A plan stage (not a destroy's, not an apply's) whose
	// verdict blocks is refused: the rules or the environment may have
	// changed while the run waited in the queue.
	Verdict deployment.Verdict
}

// PrepareFunc returns what a run of a deployment needs. It is called again
// for the apply, so rotated credentials (and changed runner settings) are
// picked up.
type PrepareFunc func(ctx context.Context, project string, deploymentID int64) (Prepared, error)

// Guardrails says what a project's guardrails make of a deployment as it
// is now; *deployment.Resolver has it.
type Guardrails interface {
	Guardrails(ctx context.Context, project string, deploymentID int64) (deployment.Verdict, error)
}

// orphanRemover is what an executor may also do: remove containers a
// previous process left running.
type orphanRemover interface {
	RemoveOrphans(ctx context.Context) (int, error)
}

// Options configure a Service.
type Options struct {
	Store    Store
	Executor runner.Executor
	Hub      *Hub
	Prepare  PrepareFunc
	// Guardrails, when set, is asked before a plan is queued: Plan refuses
	// one its verdict blocks. Without it a blocked plan is still refused,
	// later, when its stage starts (see Prepared.Verdict).
	Guardrails Guardrails
	// GlobalConcurrency is how many plans and applies execute at once
	// across all deployments; 0 means 2.
	GlobalConcurrency int
	// Image, NetworkMode, Timeout and Limits go to every job; zero values
	// leave the executor's defaults. A Prepared's Image and NetworkMode,
	// when set, win over Image and NetworkMode for that run.
	Image       string
	NetworkMode string
	Timeout     time.Duration
	Limits      runner.Limits
	// Authorizer issues state credentials per run (TF_HTTP_USERNAME,
	// TF_HTTP_PASSWORD); nil issues none.
	Authorizer Authorizer
	// StateURL is the base URL runs reach CloudOven at. When set, runs get
	// TF_HTTP_ADDRESS, TF_HTTP_LOCK_ADDRESS and TF_HTTP_UNLOCK_ADDRESS
	// for the deployment (StateURL/api/v1/state/<project>/<deployment id>,
	// package state's route); an address in the generated backend block
	// wins over them.
	StateURL string
	Logger   *slog.Logger
}

// Service runs plans and applies. Each deployment has one active run at a
// time: later runs wait queued, in order, until it is applied, discarded,
// canceled or fails. A planned run keeps its deployment until someone
// approves or discards it, since a later plan would make its saved plan
// stale. Across deployments at most GlobalConcurrency stages execute at
// once; the rest wait in order.
type Service struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	base     context.Context // from Start; nil before
	lanes    map[int64][]*task
	tasks    map[string]*task
	waiting  []*task // stages waiting for a global slot
	busy     int
	progress map[string]Progress
	wg       sync.WaitGroup
}

// task is a run the Service is responsible for: queued, executing a
// stage, planned, or approved and waiting.
type task struct {
	run       Run
	apply     bool               // the next (or current) stage is the apply
	executing bool               // a stage goroutine runs
	cancel    context.CancelFunc // while executing
	stageDone chan struct{}      // closed when the executing stage has recorded its outcome
	canceled  bool               // a user canceled the executing stage
	by        string             // who canceled it
}

// New returns a Service; call Start before anything else.
func New(o Options) *Service {
	if o.GlobalConcurrency <= 0 {
		o.GlobalConcurrency = 2
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{
		opts:     o,
		log:      o.Logger,
		lanes:    map[int64][]*task{},
		tasks:    map[string]*task{},
		progress: map[string]Progress{},
	}
}

// interruptedReason is the error of runs the previous process left in
// flight.
const interruptedReason = "CloudOven stopped while the run was in flight; start a new run"

// Start marks the runs a previous process left in flight interrupted
// (keeping their logs), asks the executor to remove the containers it
// left behind, and takes up the planned runs waiting for approval. Stages
// run under ctx: when it ends, they are stopped and recorded interrupted;
// Wait waits for that.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.base != nil {
		s.mu.Unlock()
		return errors.New("starting runs: already started")
	}
	s.base = ctx
	s.mu.Unlock()

	interrupted, err := s.opts.Store.MarkRunsInterrupted(ctx, interruptedReason)
	if err != nil {
		return fmt.Errorf("starting runs: %w", err)
	}
	unlocker, _ := s.opts.Store.(stateUnlocker)
	for _, r := range interrupted {
		s.log.Warn("run interrupted by a restart", "run", r.ID, "deployment", r.DeploymentID)
		s.opts.Hub.Append(r.ID, "CloudOven: "+interruptedReason+".")
		// The terraform that held the deployment's state lock died with the server, and
		// only CloudOven's runs hold locks on its backend (their credentials are per run),
		// so the lock is released rather than left to block the next plan.
		if unlocker != nil {
			held, ok, err := unlocker.ForceUnlockState(ctx, r.DeploymentID)
			switch {
			case err != nil:
				s.log.Error("releasing the state lock of an interrupted run", "run", r.ID, "err", err)
				s.opts.Hub.Append(r.ID, "CloudOven: the deployment's state lock could not be released: "+err.Error())
			case ok:
				s.log.Warn("released the state lock an interrupted run held", "run", r.ID, "deployment", r.DeploymentID, "lock", held.ID)
				s.opts.Hub.Append(r.ID, "CloudOven: released the state lock "+held.ID+" this run held when it was interrupted.")
			}
		}
		if err := s.opts.Hub.Close(ctx, r.ID); err != nil {
			s.log.Error("closing the log of an interrupted run", "run", r.ID, "err", err)
		}
	}
	if rm, ok := s.opts.Executor.(orphanRemover); ok {
		n, err := rm.RemoveOrphans(ctx)
		if err != nil {
			s.log.Error("removing orphaned run containers", "err", err)
		} else if n > 0 {
			s.log.Info("removed orphaned run containers", "containers", n)
		}
	}
	planned, err := s.opts.Store.RunsInState(ctx, store.RunPlanned)
	if err != nil {
		return fmt.Errorf("starting runs: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range planned {
		t := &task{run: r}
		s.tasks[r.ID] = t
		s.lanes[r.DeploymentID] = append(s.lanes[r.DeploymentID], t)
	}
	return nil
}

// Wait waits until every executing stage has ended, as they do after the
// context given to Start ends.
func (s *Service) Wait() { s.wg.Wait() }

// Plan queues a run that plans the deployment (destroy: plans destroying
// everything it manages) on behalf of user, and returns it queued.
//
// A plan of a deployment whose environment makes guardrail findings block
// plans, and that has some, is refused with an error that wraps a
// *deployment.BlockedError (errors.As finds it), and nothing is created
// or queued. A destroy is never refused for findings: it removes what
// they are about.
func (s *Service) Plan(ctx context.Context, project string, deploymentID int64, user string, destroy bool) (Run, error) {
	fail := func(err error) (Run, error) {
		return Run{}, fmt.Errorf("planning deployment %d in project %q: %w", deploymentID, project, err)
	}
	if !s.started() {
		return fail(errors.New("the run service is not started"))
	}
	d, err := s.opts.Store.Deployment(ctx, project, deploymentID)
	if err != nil {
		return fail(err)
	}
	op := store.RunOpPlan
	if destroy {
		op = store.RunOpDestroy
	}
	if !destroy && s.opts.Guardrails != nil {
		v, err := s.opts.Guardrails.Guardrails(ctx, project, d.ID)
		if err != nil {
			return fail(fmt.Errorf("checking the guardrails: %w", err))
		}
		if err := v.Err(); err != nil {
			return fail(err)
		}
	}
	id := newRunID()
	// Opened before the run exists, so a follower who finds the run finds
	// its log open.
	if err := s.opts.Hub.Open(ctx, id); err != nil {
		return fail(err)
	}
	r, err := s.opts.Store.CreateRun(ctx, store.Run{ID: id, DeploymentID: d.ID, Operation: op,
		BlueprintVersion: d.BlueprintVersion, CreatedBy: user})
	if err != nil {
		s.opts.Hub.Close(context.WithoutCancel(ctx), id)
		return fail(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &task{run: r}
	s.tasks[id] = t
	s.lanes[d.ID] = append(s.lanes[d.ID], t)
	if len(s.lanes[d.ID]) == 1 {
		s.requestSlot(t)
	}
	return r, nil
}

// Approve lets a planned run apply its saved plan, on behalf of user. A
// run that is not planned is store.ErrConflict.
func (s *Service) Approve(ctx context.Context, runID, user string) (Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.task(ctx, runID)
	if err != nil {
		return Run{}, fmt.Errorf("approving run %s: %w", runID, err)
	}
	r, err := s.opts.Store.TransitionRun(ctx, runID, store.RunTransition{To: store.RunApproved, By: user})
	if err != nil {
		return Run{}, fmt.Errorf("approving: %w", err)
	}
	if err := s.opts.Hub.Open(ctx, runID); err != nil {
		s.log.Error("opening a run's log", "run", runID, "err", err)
	}
	t.run, t.apply = r, true
	s.requestSlot(t)
	return r, nil
}

// Discard rejects a planned run, on behalf of user, and lets the
// deployment's next run start. A run that is not planned is
// store.ErrConflict.
func (s *Service) Discard(ctx context.Context, runID, user string) (Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.task(ctx, runID)
	if err != nil {
		return Run{}, fmt.Errorf("discarding run %s: %w", runID, err)
	}
	r, err := s.opts.Store.TransitionRun(ctx, runID, store.RunTransition{To: store.RunDiscarded, By: user})
	if err != nil {
		return Run{}, fmt.Errorf("discarding: %w", err)
	}
	s.release(t)
	return r, nil
}

// Cancel stops a run at whatever stage it is, on behalf of user. An
// executing plan or apply is interrupted (terraform gets SIGINT and time
// to stop cleanly; an interrupted apply can leave part of its changes
// made) and Cancel waits, until ctx ends, for it to be recorded. A
// finished run is store.ErrConflict.
func (s *Service) Cancel(ctx context.Context, runID, user string) (Run, error) {
	s.mu.Lock()
	t, err := s.task(ctx, runID)
	if err != nil {
		s.mu.Unlock()
		return Run{}, fmt.Errorf("canceling run %s: %w", runID, err)
	}
	if t.executing {
		t.canceled, t.by = true, user
		t.cancel()
		done := t.stageDone
		s.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return Run{}, fmt.Errorf("canceling run %s: %w", runID, ctx.Err())
		}
		r, err := s.opts.Store.Run(ctx, runID)
		if err != nil {
			return Run{}, fmt.Errorf("canceling: %w", err)
		}
		if !r.State.Done() {
			// The stage had already ended (planned) when asked to stop.
			return s.Cancel(ctx, runID, user)
		}
		return r, nil
	}
	defer s.mu.Unlock()
	r, err := s.opts.Store.TransitionRun(ctx, runID, store.RunTransition{To: store.RunCanceled, By: user})
	if err != nil {
		return Run{}, fmt.Errorf("canceling: %w", err)
	}
	s.waiting = slices.DeleteFunc(s.waiting, func(w *task) bool { return w == t })
	s.release(t)
	s.opts.Hub.Append(runID, "CloudOven: run canceled by "+user+".")
	go s.closeLog(runID)
	return r, nil
}

// Progress returns how far the run's executing stage (or its last one)
// has got, if the Service has seen any of it.
func (s *Service) Progress(runID string) (Progress, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.progress[runID]
	return p, ok
}

func (s *Service) started() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base != nil
}

// task finds the Service's task for runID; s.mu is held. A run the
// Service does not hold is finished (store.ErrConflict) or unknown
// (store.ErrNotFound).
func (s *Service) task(ctx context.Context, runID string) (*task, error) {
	if t, ok := s.tasks[runID]; ok {
		return t, nil
	}
	r, err := s.opts.Store.Run(ctx, runID)
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("the run is %s: %w", r.State, store.ErrConflict)
}

// requestSlot starts t's next stage when a global slot is free and queues
// it otherwise; s.mu is held.
func (s *Service) requestSlot(t *task) {
	if s.busy < s.opts.GlobalConcurrency {
		s.busy++
		s.startStage(t)
		return
	}
	s.waiting = append(s.waiting, t)
}

// startStage runs t's next stage; s.mu is held and a slot taken.
func (s *Service) startStage(t *task) {
	ctx, cancel := context.WithCancel(s.base)
	done := make(chan struct{})
	t.executing, t.cancel, t.stageDone = true, cancel, done
	t.canceled, t.by = false, ""
	run, apply := t.run, t.apply
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		var r Run
		if apply {
			r = s.applyStage(ctx, t, run)
		} else {
			r = s.planStage(ctx, t, run)
		}
		s.closeLog(run.ID)
		s.mu.Lock()
		defer s.mu.Unlock()
		close(done)
		s.busy--
		if len(s.waiting) > 0 {
			next := s.waiting[0]
			s.waiting = s.waiting[1:]
			s.busy++
			s.startStage(next)
		}
		if t.stageDone != done {
			return // approved and started again in the meantime
		}
		t.executing, t.cancel = false, nil
		t.run = r
		// A stage ends planned or finished; anything else means its end
		// could not be recorded, and must not hold the deployment.
		if r.State != store.RunPlanned {
			s.release(t)
		}
	}()
}

// release forgets a finished (or discarded) run and starts the
// deployment's next; s.mu is held.
func (s *Service) release(t *task) {
	delete(s.tasks, t.run.ID)
	lane := slices.DeleteFunc(s.lanes[t.run.DeploymentID], func(o *task) bool { return o == t })
	if len(lane) == 0 {
		delete(s.lanes, t.run.DeploymentID)
		return
	}
	s.lanes[t.run.DeploymentID] = lane
	if head := lane[0]; !head.executing && head.run.State == store.RunQueued && !slices.Contains(s.waiting, head) {
		s.requestSlot(head)
	}
}

// flushLog stores the run's log so far: a run's log is complete by the
// time its new state is visible.
func (s *Service) flushLog(runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.opts.Hub.Flush(ctx, runID); err != nil {
		s.log.Error("storing a run's log", "run", runID, "err", err)
	}
}

// closeLog stores the rest of the run's log and ends its followers'
// streams.
func (s *Service) closeLog(runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.opts.Hub.Close(ctx, runID); err != nil {
		s.log.Error("storing a run's log", "run", runID, "err", err)
	}
}

// stage is what one stage's execution needs.
type stage struct {
	files       map[string][]byte
	env         map[string]string
	secrets     []string
	image       string // empty: Options.Image
	networkMode string // empty: Options.NetworkMode
	verdict     deployment.Verdict
}

// prepare generates the deployment's files and environment and issues
// state credentials, which the caller revokes.
func (s *Service) prepare(ctx context.Context, r Run) (stage, error) {
	p, err := s.opts.Prepare(ctx, r.Project, r.DeploymentID)
	if err != nil {
		return stage{}, fmt.Errorf("preparing the deployment's files: %w", err)
	}
	st := stage{files: p.Files, env: maps.Clone(p.Env), secrets: slices.Clone(p.Secrets),
		image: p.Image, networkMode: p.NetworkMode, verdict: p.Verdict}
	if st.env == nil {
		st.env = map[string]string{}
	}
	st.env["TF_IN_AUTOMATION"] = "1"
	st.env["TF_INPUT"] = "0"
	if s.opts.Authorizer != nil {
		user, pass := s.opts.Authorizer.Issue(r.Project, r.DeploymentID, r.ID)
		st.env["TF_HTTP_USERNAME"], st.env["TF_HTTP_PASSWORD"] = user, pass
		st.secrets = append(st.secrets, pass)
	}
	if s.opts.StateURL != "" {
		addr := strings.TrimRight(s.opts.StateURL, "/") + "/api/v1/state/" + r.Project + "/" + strconv.FormatInt(r.DeploymentID, 10)
		st.env["TF_HTTP_ADDRESS"], st.env["TF_HTTP_LOCK_ADDRESS"], st.env["TF_HTTP_UNLOCK_ADDRESS"] = addr, addr, addr
	}
	return st, nil
}

func (s *Service) job(r Run, st stage, steps [][]string) runner.Job {
	return runner.Job{
		RunID:       r.ID,
		Files:       st.files,
		Steps:       steps,
		Env:         st.env,
		Image:       cmp.Or(st.image, s.opts.Image),
		NetworkMode: cmp.Or(st.networkMode, s.opts.NetworkMode),
		Timeout:     s.opts.Timeout,
		Limits:      s.opts.Limits,
	}
}

// planFile is the saved plan's name in the workspace.
const planFile = "tfplan"

// planStage runs init, plan and show, and records the run planned, or how
// it ended otherwise.
func (s *Service) planStage(ctx context.Context, t *task, r Run) Run {
	r, err := s.opts.Store.TransitionRun(ctx, r.ID, store.RunTransition{To: store.RunRunning})
	if err != nil {
		return s.end(ctx, t, r, nil, err)
	}
	st, err := s.prepare(ctx, r)
	if s.opts.Authorizer != nil {
		defer s.opts.Authorizer.Revoke(r.ID)
	}
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	if r.Operation == store.RunOpPlan {
		if err := st.verdict.Err(); err != nil {
			return s.end(ctx, t, r, st.secrets, fmt.Errorf("the plan was refused: %w", err))
		}
	}
	plan := []string{"plan", "-input=false", "-json", "-out=" + planFile}
	if r.Operation == store.RunOpDestroy {
		plan = append(plan, "-destroy")
	}
	job := s.job(r, st, [][]string{{"init", "-input=false", "-no-color"}, plan, {"show", "-json", planFile}})
	job.Collect = []string{planFile}
	res, out, err := s.execute(ctx, r.ID, job, st.secrets, "plan")
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("terraform exited with code %d; the log says why", res.ExitCode)
	}
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	planJSON, tooLarge := out.plan()
	saved := res.Files[planFile]
	switch {
	case tooLarge:
		err = fmt.Errorf("the plan's JSON is over %d MiB", maxPlanJSON>>20)
	case saved == nil:
		err = errors.New("terraform saved no plan file")
	case planJSON == nil:
		err = errors.New("terraform show printed no plan")
	}
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	summary, err := ParsePlan(planJSON)
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	sum, err := json.Marshal(summary)
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	s.flushLog(r.ID)
	r, err = s.opts.Store.TransitionRun(context.WithoutCancel(ctx), r.ID, store.RunTransition{To: store.RunPlanned,
		Plan: saved, PlanJSON: []byte(RedactString(string(planJSON), st.secrets)), Summary: sum})
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	return r
}

// applyStage applies the run's saved plan, and nothing else: terraform
// refuses a saved plan whose state has moved on.
func (s *Service) applyStage(ctx context.Context, t *task, r Run) Run {
	r, err := s.opts.Store.TransitionRun(ctx, r.ID, store.RunTransition{To: store.RunApplying})
	if err != nil {
		return s.end(ctx, t, r, nil, err)
	}
	saved, _, err := s.opts.Store.RunPlan(ctx, r.ID)
	if err != nil {
		return s.end(ctx, t, r, nil, err)
	}
	st, err := s.prepare(ctx, r)
	if s.opts.Authorizer != nil {
		defer s.opts.Authorizer.Revoke(r.ID)
	}
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	job := s.job(r, st, [][]string{{"init", "-input=false", "-no-color"}, {"apply", "-input=false", "-json", planFile}})
	job.Extra = map[string][]byte{planFile: saved}
	// init must install the providers the plan was made with.
	if lock := lockFile(saved); lock != nil {
		job.Extra[lockFileName] = lock
	}
	res, _, err := s.execute(ctx, r.ID, job, st.secrets, "apply")
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("terraform exited with code %d; the log says why", res.ExitCode)
	}
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	s.flushLog(r.ID)
	r, err = s.opts.Store.TransitionRun(context.WithoutCancel(ctx), r.ID, store.RunTransition{To: store.RunApplied})
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	return r
}

func (s *Service) execute(ctx context.Context, runID string, job runner.Job, secrets []string, operation string) (runner.Result, *output, error) {
	out := newOutput(s.opts.Hub, runID, secrets, NewTracker(operation), func(p Progress) {
		s.mu.Lock()
		s.progress[runID] = p
		s.mu.Unlock()
	})
	s.mu.Lock()
	s.progress[runID] = Progress{Operation: operation}
	s.mu.Unlock()
	res, err := s.opts.Executor.Run(ctx, job, out)
	out.Close()
	if err != nil {
		return res, out, fmt.Errorf("running terraform %s: %w", operation, err)
	}
	return res, out, nil
}

// end records how a stage that did not succeed ended: canceled by a user,
// interrupted by the server stopping, or errored with err (redacted).
func (s *Service) end(ctx context.Context, t *task, r Run, secrets []string, err error) Run {
	s.mu.Lock()
	canceled, by := t.canceled, t.by
	s.mu.Unlock()
	tr := store.RunTransition{To: store.RunErrored, Error: RedactString(err.Error(), secrets)}
	note := "CloudOven: " + tr.Error
	switch {
	case canceled:
		tr = store.RunTransition{To: store.RunCanceled, By: by}
		note = "CloudOven: run canceled by " + by + "."
	case ctx.Err() != nil:
		tr = store.RunTransition{To: store.RunInterrupted, Error: "CloudOven stopped while the run was in flight"}
		note = "CloudOven: " + tr.Error + "."
	}
	s.opts.Hub.Append(r.ID, note)
	s.flushLog(r.ID)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	ended, terr := s.opts.Store.TransitionRun(sctx, r.ID, tr)
	if terr != nil {
		s.log.Error("recording the end of a run", "run", r.ID, "state", tr.To, "err", terr)
		if cur, rerr := s.opts.Store.Run(sctx, r.ID); rerr == nil {
			return cur
		}
		r.State = tr.To
		return r
	}
	r = ended
	if tr.To == store.RunErrored {
		s.log.Warn("run errored", "run", r.ID, "deployment", r.DeploymentID, "err", tr.Error)
	}
	return r
}

// lockFileName is terraform's dependency lock file, which a saved plan
// carries.
const lockFileName = ".terraform.lock.hcl"

// lockFile returns the dependency lock file inside a saved plan (a zip
// archive), or nil.
func lockFile(plan []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(plan), int64(len(plan)))
	if err != nil {
		return nil
	}
	for _, f := range zr.File {
		if f.Name != lockFileName {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		if err != nil {
			return nil
		}
		return b
	}
	return nil
}

// newRunID returns "run-" and 16 random lowercase letters and digits.
func newRunID() string {
	var b [10]byte
	rand.Read(b[:])
	return "run-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}
