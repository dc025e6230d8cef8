package runs

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
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
// by itself (NoChanges).
//
// The queue is the store: any number of servers on one database claim the runs that may
// start (store.ClaimRun), each executing at most GlobalConcurrency stages at once, the
// oldest first. A claim is a lease the executing server renews; a run whose lease lapses
// (its server died or lost the database) is marked interrupted by whichever server
// notices, and its state lock released. Cancel works from any server: the executing one
// reads the request when it renews its leases.
type Service struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	base     context.Context  // from Start; nil before
	tasks    map[string]*task // stages this server executes, by run id
	busy     int
	progress map[string]Progress // of the stages executing here; saved to the store (saveProgress)
	// progressDirty holds the runs whose progress changed since it was last saved.
	progressDirty map[string]bool
	progressSave  sync.Mutex
	wg            sync.WaitGroup
	wake          chan struct{} // wakes the claimer; capacity 1
	// archiveWake wakes the log archiver (archive.go); capacity 1
	archiveWake chan struct{}

	diffs diffCache // the last plans' diffs the run page read (plandiff.go)
}

// DefaultLease is how long a claim on a run lasts unless renewed, and so about how long a
// dead server's runs stay executing before another server marks them interrupted.
const DefaultLease = 30 * time.Second

// DefaultPollInterval is how often a server looks in the store for runs to claim.
const DefaultPollInterval = time.Second

// New returns a Service; call Start before anything else.
func New(o Options) *Service {
	if o.GlobalConcurrency <= 0 {
		o.GlobalConcurrency = 2
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.Replica == "" {
		o.Replica = NewReplicaName()
	}
	return &Service{
		opts:     o,
		log:      o.Logger.With("replica", o.Replica),
		tasks:    map[string]*task{},
		progress: map[string]Progress{},

		progressDirty: map[string]bool{},
		wake:          make(chan struct{}, 1),

		archiveWake: make(chan struct{}, 1),
	}
}

// NewReplicaName returns a server name for Options.Replica: the host name and a random
// suffix, so a restarted server is never taken for its previous process.
func NewReplicaName() string {
	host, _ := os.Hostname()
	if len(host) > 64 {
		host = host[:64]
	}
	var b [5]byte
	rand.Read(b[:])
	return strings.Trim(host+"-"+strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])), "-")
}

// Replica is the name this server's claims carry.
func (s *Service) Replica() string { return s.opts.Replica }

// interruptedReason is the error of runs the previous process left in
// flight.
const interruptedReason = "CloudOven stopped while the run was in flight; start a new run"

// lapsedReason is the error of runs whose server stopped renewing their lease.
const lapsedReason = "the CloudOven server executing the run stopped answering; start a new run"

// Start marks interrupted the runs left executing by a server that is gone (with
// Options.Exclusive, every run left executing: this server's previous process; otherwise
// those whose lease lapsed), keeping their logs and releasing their state locks, asks the
// executor to remove what such runs left behind, seals the saved plans an older build
// stored in the clear (SealSavedPlans), and starts claiming runs. Stages run under ctx:
// when it ends, they are stopped and recorded interrupted; Wait waits for that.
// Options.Sealer is required.
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

	reason := lapsedReason
	if s.opts.Exclusive {
		reason = interruptedReason
	}
	if err := s.reap(ctx, reason, s.opts.Exclusive); err != nil {
		return fmt.Errorf("starting runs: %w", err)
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
	s.wg.Add(2)
	go s.claimLoop(ctx)
	go s.leaseLoop(ctx)
	if a, ok := s.opts.Store.(logArchiver); ok {
		s.wg.Add(1)
		go s.archiveLoop(ctx, a)
	}
	return nil
}

// reap marks interrupted the runs whose claim lapsed (every executing run with all), and
// releases the state locks their terraform held.
func (s *Service) reap(ctx context.Context, reason string, all bool) error {
	interrupted, err := s.opts.Store.ReapRuns(ctx, reason, all)
	if err != nil {
		return err
	}
	for _, r := range interrupted {
		s.log.Warn("run interrupted", "run", r.ID, "deployment", r.DeploymentID, "reason", reason)
		s.opts.Hub.Append(r.ID, "CloudOven: "+reason+".")
		// The terraform that held the deployment's state lock died with its server, and
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
		// What the dead server started may still run (a Job in the shared namespace, a
		// container on a shared engine): stopped, so it changes nothing behind the next run.
		if rm, ok := s.opts.Executor.(runRemover); ok {
			rctx, cancel := context.WithTimeout(ctx, orphanSweepTimeout)
			if err := rm.RemoveRun(rctx, r.ID); err != nil {
				s.log.Error("removing what an interrupted run left running", "run", r.ID, "err", err)
			}
			cancel()
		}
	}
	if len(interrupted) > 0 {
		s.kick()
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
	// Runs still executing once the lapsed ones are reaped are other live servers': what
	// they run is kept. Everything else this instance's label marks is left over.
	live := map[string]bool{}
	if rs, err := s.opts.Store.RunsInState(ctx, store.RunRunning, store.RunApplying); err != nil {
		s.log.Error("removing orphaned run containers: listing executing runs", "err", err)
		return
	} else {
		for _, r := range rs {
			live[r.ID] = true
		}
	}
	// A run claimed by another server after the list above is kept too: the store is asked
	// again about any run the list does not hold, when in doubt keeping it.
	keep := func(runID string) bool {
		if live[runID] {
			return true
		}
		qctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		r, err := s.opts.Store.Run(qctx, runID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return false
		case err != nil:
			return true
		}
		return r.State == store.RunRunning || r.State == store.RunApplying
	}
	n, err := rm.RemoveOrphans(ctx, keep)
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
	// The log opens on the server that claims the run; a follower elsewhere reads it
	// from the store.
	r, err := s.opts.Store.CreateRun(ctx, store.Run{ID: newRunID(), DeploymentID: d.ID, Operation: op,
		BlueprintVersion: d.BlueprintVersion, CreatedBy: user})
	if err != nil {
		return fail(err)
	}
	s.kick()
	return r, nil
}

// Approve lets a planned run apply its saved plan, on behalf of user. A
// run that is not planned is store.ErrConflict.
func (s *Service) Approve(ctx context.Context, runID, user string) (Run, error) {
	r, err := s.opts.Store.TransitionRun(ctx, runID, store.RunTransition{To: store.RunApproved, By: user})
	if err != nil {
		return Run{}, fmt.Errorf("approving run %s: %w", runID, err)
	}
	s.kick()
	return r, nil
}

// Discard rejects a planned run, on behalf of user, and lets the
// deployment's next run start. A run that is not planned is
// store.ErrConflict.
func (s *Service) Discard(ctx context.Context, runID, user string) (Run, error) {
	s.mu.Lock()
	t, local := s.tasks[runID]
	s.mu.Unlock()
	if local {
		// Only the plan stage itself may discard a run it is planning (one with no
		// changes). A stage that has saved its plan is only closing its log: the page
		// already offers Discard, so wait for the stage to end rather than refuse.
		r, err := s.opts.Store.Run(ctx, runID)
		if err != nil {
			return Run{}, fmt.Errorf("discarding run %s: %w", runID, err)
		}
		if r.State != store.RunPlanned {
			return Run{}, fmt.Errorf("discarding run %s: the run is %s: %w", runID, r.State, store.ErrConflict)
		}
		select {
		case <-t.stageDone:
		case <-ctx.Done():
			return Run{}, fmt.Errorf("discarding run %s: %w", runID, ctx.Err())
		}
	}
	r, err := s.opts.Store.TransitionRun(ctx, runID, store.RunTransition{To: store.RunDiscarded, By: user})
	if err != nil {
		return Run{}, fmt.Errorf("discarding run %s: %w", runID, err)
	}
	s.kick()
	return r, nil
}

// cancelPoll is how often Cancel looks whether a stage another server executes has
// stopped.
const cancelPoll = 200 * time.Millisecond

// Cancel stops a run at whatever stage it is, on behalf of user. An
// executing plan or apply is interrupted (terraform gets SIGINT and time
// to stop cleanly; an interrupted apply can leave part of its changes
// made) and Cancel waits, until ctx ends, for it to be recorded; a stage another
// server executes stops when that server next renews its leases (within
// Options.PollInterval). A finished run is store.ErrConflict.
func (s *Service) Cancel(ctx context.Context, runID, user string) (Run, error) {
	for {
		s.mu.Lock()
		t, local := s.tasks[runID]
		if local {
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
			if r.State.Done() {
				return r, nil
			}
			continue // the stage had already ended (planned) when asked to stop
		}
		s.mu.Unlock()
		r, err := s.opts.Store.Run(ctx, runID)
		if err != nil {
			return Run{}, fmt.Errorf("canceling run %s: %w", runID, err)
		}
		switch {
		case r.State.Done():
			return Run{}, fmt.Errorf("canceling run %s: the run is %s: %w", runID, r.State, store.ErrConflict)
		case r.State == store.RunRunning || r.State == store.RunApplying:
			if err := s.opts.Store.RequestRunCancel(ctx, runID, user); err != nil {
				if errors.Is(err, store.ErrConflict) {
					continue // it moved on meanwhile
				}
				return Run{}, fmt.Errorf("canceling: %w", err)
			}
			r, err := s.awaitRemoteCancel(ctx, runID)
			if err != nil || r.State.Done() {
				return r, err
			}
			continue // the stage had already ended (planned) when asked to stop
		}
		r, err = s.opts.Store.TransitionRun(ctx, runID, store.RunTransition{To: store.RunCanceled, By: user})
		if errors.Is(err, store.ErrConflict) {
			continue // a server claimed it meanwhile
		}
		if err != nil {
			return Run{}, fmt.Errorf("canceling: %w", err)
		}
		s.opts.Hub.Append(runID, "CloudOven: run canceled by "+user+".")
		go s.closeLog(runID)
		s.kick()
		return r, nil
	}
}

// awaitRemoteCancel waits until a stage another server executes has stopped, or ctx ends.
func (s *Service) awaitRemoteCancel(ctx context.Context, runID string) (Run, error) {
	s.kick() // this server may be the one executing it, claimed a moment ago
	t := time.NewTicker(cancelPoll)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return Run{}, fmt.Errorf("canceling run %s: %w", runID, ctx.Err())
		}
		r, err := s.opts.Store.Run(ctx, runID)
		if err != nil {
			return Run{}, fmt.Errorf("canceling: %w", err)
		}
		if r.State != store.RunRunning && r.State != store.RunApplying {
			return r, nil
		}
	}
}

// Progress returns how far the run's executing stage (or its last one)
// has got, if any server has reported any of it: this server's own stages
// from memory, the others' as the store has them (written about once a
// second by the server executing them).
func (s *Service) Progress(runID string) (Progress, bool) {
	s.mu.Lock()
	p, ok := s.progress[runID]
	s.mu.Unlock()
	if ok {
		return p, true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := s.opts.Store.RunProgress(ctx, runID)
	if err != nil || b == nil {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.log.Error("reading a run's progress", "run", runID, "err", err)
		}
		return Progress{}, false
	}
	if err := json.Unmarshal(b, &p); err != nil {
		s.log.Error("reading a run's progress", "run", runID, "err", err)
		return Progress{}, false
	}
	return p, true
}

// saveProgress writes to the store the progress of the runs whose progress changed since
// the last save (all the runs of ids given, whatever changed), so the other servers show it.
func (s *Service) saveProgress(ctx context.Context, ids ...string) {
	// One save at a time, so an older progress never overwrites a newer one.
	s.progressSave.Lock()
	defer s.progressSave.Unlock()
	s.mu.Lock()
	if len(ids) == 0 {
		for id := range s.progressDirty {
			ids = append(ids, id)
		}
	}
	save := make(map[string]Progress, len(ids))
	for _, id := range ids {
		if p, ok := s.progress[id]; ok {
			save[id] = p
		}
		delete(s.progressDirty, id)
	}
	s.mu.Unlock()
	for id, p := range save {
		b, _ := json.Marshal(p)
		if err := s.opts.Store.SetRunProgress(ctx, id, b); err != nil && ctx.Err() == nil {
			s.log.Error("recording a run's progress", "run", id, "err", err)
		}
	}
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
