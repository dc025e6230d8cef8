// The Service's side of the queue in the store: claiming runs while a slot is free,
// renewing the claims of the stages executing here, and marking interrupted the runs
// whose server stopped renewing theirs.

package runs

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/cloudoven/cloudoven/store"
)

// task is a stage this server executes.
type task struct {
	run       Run
	cancel    context.CancelFunc
	stageDone chan struct{} // closed when the stage has recorded its outcome
	canceled  bool          // a user canceled the stage
	by        string        // who canceled it
	lost      bool          // another server marked the run interrupted: its lease lapsed
	ended     bool          // the stage has recorded its outcome and is closing its log
}

// kick wakes the claimer: a run may have become claimable.
func (s *Service) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// claimLoop claims runs while a slot is free, whenever woken (by this server's own
// changes, or by the store's notification that a run may have become claimable, made by
// any server: store.RunQueueChannel) and every PollInterval, which stays as the safety net
// for a notification lost with the database connection, until ctx ends.
func (s *Service) claimLoop(ctx context.Context) {
	defer s.wg.Done()
	// Listening before the first claim: a run that becomes claimable after it is notified.
	notes, err := s.opts.Store.Listen(ctx, store.RunQueueChannel)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("claiming runs on the poll only", "every", s.opts.PollInterval, "err", err)
	}
	t := time.NewTicker(s.opts.PollInterval)
	defer t.Stop()
	for {
		s.claim(ctx)
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case _, ok := <-notes:
			if !ok {
				notes = nil // the store is closing: the poll alone until ctx ends
			}
		case <-t.C:
		}
	}
}

// claim starts stages of claimable runs until no slot or no run is left.
func (s *Service) claim(ctx context.Context) {
	for ctx.Err() == nil {
		s.mu.Lock()
		free := s.busy < s.opts.GlobalConcurrency
		if free {
			s.busy++ // held while claiming, so a slot is never promised twice
		}
		s.mu.Unlock()
		if !free {
			return
		}
		r, ok, err := s.opts.Store.ClaimRun(ctx, s.opts.Replica, s.opts.Lease)
		if err != nil || !ok {
			s.mu.Lock()
			s.busy--
			s.mu.Unlock()
			if err != nil && ctx.Err() == nil {
				s.log.Error("claiming a run", "err", err)
			}
			return
		}
		s.startStage(ctx, r)
	}
}

// startStage executes the stage of run r, which this server has just claimed; a slot is
// taken.
func (s *Service) startStage(base context.Context, r Run) {
	ctx, cancel := context.WithCancel(base)
	t := &task{run: r, cancel: cancel, stageDone: make(chan struct{})}
	s.mu.Lock()
	s.tasks[r.ID] = t
	s.mu.Unlock()
	if err := s.opts.Hub.Open(ctx, r.ID); err != nil {
		s.log.Error("opening a run's log", "run", r.ID, "err", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		if r.State == store.RunApplying {
			s.applyStage(ctx, t, r)
		} else {
			s.planStage(ctx, t, r)
		}
		s.mu.Lock()
		t.ended = true
		s.mu.Unlock()
		s.closeLog(r.ID)
		s.mu.Lock()
		close(t.stageDone)
		delete(s.tasks, r.ID)
		s.busy--
		s.mu.Unlock()
		// A stage that ended neither planned nor finished (its end could not be
		// recorded) keeps its run executing in the store with a lease nobody renews:
		// the run is marked interrupted once the lease lapses.
		s.kick()
		s.wakeArchiver()
	}()
}

// leaseLoop renews the claims of the stages executing here and reads cancels asked on
// other servers every PollInterval, and looks for runs whose claim lapsed about every
// Lease/2, until ctx ends.
func (s *Service) leaseLoop(ctx context.Context) {
	defer s.wg.Done()
	every := min(s.opts.PollInterval, s.opts.Lease/3)
	t := time.NewTicker(every)
	defer t.Stop()
	nextReap := time.Now().Add(s.reapDelay())
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.renew(ctx)
		s.saveProgress(ctx)
		if time.Now().After(nextReap) {
			if err := s.reap(ctx, lapsedReason, false); err != nil && ctx.Err() == nil {
				s.log.Error("looking for runs whose server stopped", "err", err)
			}
			nextReap = time.Now().Add(s.reapDelay())
		}
	}
}

// reapDelay is Lease/2 give or take a tenth, so servers started together do not look at
// the same moment.
func (s *Service) reapDelay() time.Duration {
	half := s.opts.Lease / 2
	return half - half/10 + rand.N(half/5+1)
}

// renew extends the leases of the stages executing here, stops those whose run a user
// canceled on another server, and those another server marked interrupted.
func (s *Service) renew(ctx context.Context) {
	s.mu.Lock()
	ids := make([]string, 0, len(s.tasks))
	for id := range s.tasks {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	got, err := s.opts.Store.RenewRunLeases(ctx, s.opts.Replica, ids, s.opts.Lease)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("renewing the leases of executing runs", "runs", len(ids), "err", err)
		}
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, lr := range got {
		t, ok := s.tasks[id]
		if !ok {
			continue
		}
		switch {
		case !lr.Held:
			// Finished here in the meantime, or marked interrupted elsewhere after this
			// server failed to renew in time: in the second case the stage must stop,
			// since the deployment is free for the next run.
			if !t.lost && !t.ended {
				t.lost = true
				s.log.Warn("stopping a stage whose run is no longer this server's", "run", id)
				t.cancel()
			}
		case lr.CancelRequestedBy != "" && !t.canceled:
			t.canceled, t.by = true, lr.CancelRequestedBy
			t.cancel()
		}
	}
}
