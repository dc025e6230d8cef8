package runs

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudoven/cloudoven/store"
)

// Run is a run as the store keeps it.
type Run = store.Run

// Service runs plans and applies. Each deployment has one active run at a
// time: later runs wait queued, in order, until it is applied, discarded,
// canceled or fails. A planned run keeps its deployment until someone
// approves or discards it, since a later plan would make its saved plan
// stale; a plan with no changes has nothing to approve, and ends discarded
// by itself (NoChanges). Across deployments at most GlobalConcurrency stages execute at
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

	diffs diffCache // the last plans' diffs the run page read (plandiff.go)
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
// left behind, seals the saved plans an older build stored in the clear
// (SealSavedPlans), and takes up the planned runs waiting for approval.
// Stages run under ctx: when it ends, they are stopped and recorded
// interrupted; Wait waits for that. Options.Sealer is required.
func (s *Service) Start(ctx context.Context) error {
	if s.opts.Sealer == nil {
		return errors.New("starting runs: no Sealer: saved plans hold secrets and are stored sealed")
	}
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
	for _, r := range interrupted {
		s.log.Warn("run interrupted by a restart", "run", r.ID, "deployment", r.DeploymentID)
		s.opts.Hub.Append(r.ID, "CloudOven: "+interruptedReason+".")
		// The terraform that held the deployment's state lock died with the server, and
		// only CloudOven's runs hold locks on its backend (their credentials are per run),
		// so the lock is released rather than left to block the next plan.
		held, ok, err := s.opts.Store.ForceUnlockState(ctx, r.DeploymentID)
		switch {
		case err != nil:
			s.log.Error("releasing the state lock of an interrupted run", "run", r.ID, "err", err)
			s.opts.Hub.Append(r.ID, "CloudOven: the deployment's state lock could not be released: "+err.Error())
		case ok:
			s.log.Warn("released the state lock an interrupted run held", "run", r.ID, "deployment", r.DeploymentID, "lock", held.ID)
			s.opts.Hub.Append(r.ID, "CloudOven: released the state lock "+held.ID+" this run held when it was interrupted.")
		}
		if err := s.opts.Hub.Close(ctx, r.ID); err != nil {
			s.log.Error("closing the log of an interrupted run", "run", r.ID, "err", err)
		}
	}
	if rm, ok := s.opts.Executor.(orphanRemover); ok {
		s.removeOrphans(ctx, rm)
	}
	sealed, err := SealSavedPlans(ctx, s.opts.Store, s.opts.Sealer)
	if err != nil {
		return fmt.Errorf("starting runs: %w", err)
	}
	if sealed > 0 {
		s.log.Info("sealed saved plans stored in the clear", "plans", sealed)
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

// orphanSweepTimeout bounds the sweep of what a previous process left: an executor that
// does not answer (a Kubernetes API server out of reach may take half a minute to say so,
// one that takes connections and never answers holds them until they drop) must not hold
// up the start; what is left waits for the next one.
const orphanSweepTimeout = 10 * time.Second

// removeOrphans asks the executor to remove what a previous process left. This server is
// the only one on its database, so it keeps no run: Start has marked every run in flight
// interrupted. Errors are logged, the start goes on.
func (s *Service) removeOrphans(ctx context.Context, rm orphanRemover) {
	ctx, cancel := context.WithTimeout(ctx, orphanSweepTimeout)
	defer cancel()
	n, err := rm.RemoveOrphans(ctx, func(string) bool { return false })
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		s.log.Error("removing orphaned run containers: the executor did not answer in time, the rest is left for the next start",
			"removed", n, "timeout", orphanSweepTimeout, "err", err)
	case err != nil:
		s.log.Error("removing orphaned run containers", "removed", n, "err", err)
	case n > 0:
		s.log.Info("removed orphaned run containers", "containers", n)
	}
}

// Wait waits until every executing stage has ended, as they do after the
// context given to Start ends.
func (s *Service) Wait() { s.wg.Wait() }

// Plan queues a run that plans the deployment (destroy: plans destroying
// everything it manages) on behalf of user, and returns it queued.
//
// A plan the deployment's guardrails refuse (deployment.Verdict.Err: a
// provider the project does not allow, a construct that runs a program
// or sends data out during the plan, or any finding in an environment
// that makes findings block plans) is refused with an error that wraps a
// *deployment.BlockedError (errors.As finds it), and nothing is created
// or queued. A destroy is refused for the first two only
// (deployment.Verdict.RunErr): it removes what the other findings are
// about, but its plan runs the same provider and data source code.
//
// A plan or a destroy of a deployment whose state nothing would keep (its
// environment has a local backend, or none, so terraform writes the state
// into the run's workspace, which is removed when the run ends) is refused
// with an error that wraps a *deployment.StateLossError, and nothing is
// created or queued.
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
	if s.opts.State != nil {
		k, err := s.opts.State.StateKeeping(ctx, project, d.ID)
		if err != nil {
			return fail(fmt.Errorf("checking who keeps the state: %w", err))
		}
		if err := k.Err(); err != nil {
			return fail(err)
		}
	}
	if s.opts.Guardrails != nil {
		v, err := s.opts.Guardrails.Guardrails(ctx, project, d.ID)
		if err != nil {
			return fail(fmt.Errorf("checking the guardrails: %w", err))
		}
		refusal := v.Err()
		if destroy {
			refusal = v.RunErr()
		}
		if refusal != nil {
			return fail(refusal)
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
	t, err := s.task(ctx, runID)
	if err != nil {
		s.mu.Unlock()
		return Run{}, fmt.Errorf("discarding run %s: %w", runID, err)
	}
	if t.executing {
		// Only the plan stage itself may discard a run it is planning (one with no
		// changes). A stage that has saved its plan is only closing its log: the page
		// already offers Discard, so wait for the stage to end rather than refuse.
		done := t.stageDone
		s.mu.Unlock()
		r, err := s.opts.Store.Run(ctx, runID)
		if err != nil {
			return Run{}, fmt.Errorf("discarding run %s: %w", runID, err)
		}
		if r.State != store.RunPlanned {
			return Run{}, fmt.Errorf("discarding run %s: the run is %s: %w", runID, r.State, store.ErrConflict)
		}
		select {
		case <-done:
		case <-ctx.Done():
			return Run{}, fmt.Errorf("discarding run %s: %w", runID, ctx.Err())
		}
		return s.Discard(ctx, runID, user)
	}
	defer s.mu.Unlock()
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

// newRunID returns "run-" and 16 random lowercase letters and digits.
func newRunID() string {
	var b [10]byte
	rand.Read(b[:])
	return "run-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}
