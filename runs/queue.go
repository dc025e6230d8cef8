// The Service's queues: a lane of tasks per deployment, the head of each the one that may
// run, and stages waiting in order for one of the global slots.

package runs

import (
	"context"
	"fmt"
	"slices"

	"github.com/cloudoven/cloudoven/store"
)

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
