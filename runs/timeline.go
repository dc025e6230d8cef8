package runs

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

// The steps of a run's stages, as the store records them (store.RunStep.Step). A plan
// stage's show belongs to its plan step: it only prints what the plan saved.
const (
	StepPlanInit   = "plan.init"
	StepPlanCheck  = "plan.check"
	StepPlanPlan   = "plan.plan"
	StepApplyInit  = "apply.init"
	StepApplyApply = "apply.apply"
)

// planSteps and applySteps name each job step of a stage, by its index in the job.
var (
	planSteps  = []string{StepPlanInit, StepPlanCheck, StepPlanPlan, StepPlanPlan}
	applySteps = []string{StepApplyInit, StepApplyApply}
)

// stepPosition orders the steps of a run on its timeline.
var stepPosition = map[string]int{StepPlanInit: 0, StepPlanCheck: 1, StepPlanPlan: 2, StepApplyInit: 3, StepApplyApply: 4}

// StepStore records the steps and diagnostics of a run; *store.Store has it.
type StepStore interface {
	SetRunStep(ctx context.Context, runID string, st store.RunStep) error
	AddRunDiagnostics(ctx context.Context, runID string, ds []store.RunDiagnostic) (int, error)
}

// steps records the steps of one stage as the executor starts them (runner.Job.Started)
// and how the stage ended. Each record is written through at once, so the run page and a
// restarted server see where the stage is. A step's end is the start of the next step of
// another name, or the end of the job.
type steps struct {
	record func(store.RunStep)
	now    func() time.Time
	names  []string // by job step index

	mu      sync.Mutex
	byName  map[string]*store.RunStep
	current int // the job step started last; -1 before the first
}

// newSteps records the stage's steps pending.
func (s *Service) newSteps(runID string, names []string) *steps {
	st := &steps{names: names, now: time.Now, byName: map[string]*store.RunStep{}, current: -1,
		record: func(rs store.RunStep) { s.recordStep(runID, rs) }}
	for _, n := range names {
		if _, ok := st.byName[n]; ok {
			continue
		}
		rs := &store.RunStep{Step: n, Position: stepPosition[n], State: store.StepPending}
		st.byName[n] = rs
		st.record(*rs)
	}
	return st
}

func (s *Service) recordStep(runID string, rs store.RunStep) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.opts.Store.SetRunStep(ctx, runID, rs); err != nil {
		s.log.Error("recording a run's step", "run", runID, "step", rs.Step, "err", err)
	}
}

// name is the step job step i belongs to; "" for none.
func (st *steps) name(i int) string {
	if i < 0 || i >= len(st.names) {
		return ""
	}
	return st.names[i]
}

// Current is the step that runs, or ran last.
func (st *steps) Current() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.name(st.current)
}

// started is runner.Job.Started.
func (st *steps) started(i int, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	from := st.current
	prev, next := st.name(from), st.name(i)
	if i <= from || next == "" {
		return
	}
	st.current = i
	// An executor that looks now and then (the stage driver's) may not see every step
	// start: a step whose start went unseen has no start, nor the step before it an end.
	exact := true
	for j := from + 1; j < i; j++ {
		if n := st.names[j]; n != prev {
			exact = false
			if rs := st.byName[n]; rs.State == store.StepPending {
				rs.State = store.StepDone
				st.record(*rs)
			}
		}
	}
	if prev == next {
		return
	}
	if p := st.byName[prev]; p != nil && p.State == store.StepRunning {
		p.State = store.StepDone
		if exact {
			p.FinishedAt = now
		}
		st.record(*p)
	}
	n := st.byName[next]
	n.State = store.StepRunning
	if i == slices.Index(st.names, next) {
		n.StartedAt = now
	}
	st.record(*n)
}

// end records how the stage's job ended: as res says when err is nil, else at the step
// that ran last; canceled says a user or the server stopped it. The steps after the one
// that ended a failed job are skipped. When res says when each step started, those are
// the times recorded, whatever was seen while the job ran.
func (st *steps) end(res runner.Result, err error, canceled bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	now := st.now()
	last := st.current
	if err == nil {
		last = res.Step
	}
	lastName := st.name(last)
	ended := store.StepDone
	switch {
	case canceled:
		ended = store.StepCanceled
	case err != nil || res.ExitCode != 0:
		ended = store.StepFailed
	}
	reported := st.current >= 0 && st.current >= last
	exact := err == nil && len(res.Started) == last+1
	seen := map[string]bool{}
	for i, n := range st.names {
		if seen[n] {
			continue
		}
		seen[n] = true
		rs := st.byName[n]
		before := *rs
		switch {
		case i <= last && n != lastName:
			// Before the step that ended the job: it passed. When the executor did not
			// report the boundary, when it ended is not known.
			if rs.State != store.StepDone {
				rs.State = store.StepDone
				if !reported {
					rs.FinishedAt = time.Time{}
				}
			}
		case n == lastName:
			rs.State = ended
			if reported || last == 0 {
				rs.FinishedAt = now
			} else {
				rs.StartedAt = time.Time{}
			}
		case ended == store.StepDone:
			rs.State = store.StepDone
		default:
			rs.State = store.StepSkipped
		}
		if exact && i <= last {
			rs.StartedAt, rs.FinishedAt = res.Started[i], now
			for j := i + 1; j <= last; j++ {
				if st.names[j] != n {
					rs.FinishedAt = res.Started[j]
					break
				}
			}
		}
		if *rs != before {
			st.record(*rs)
		}
	}
}
