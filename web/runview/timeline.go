package runview

import (
	"time"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
)

// timelineFragment is the run's timeline, which the event stream replaces as steps move.
const timelineFragment = "run-timeline"

// timelineProps is a run's stages and steps, in order: queued, the plan stage's init,
// check and plan, the approval, the apply stage's init and apply.
type timelineProps struct {
	Steps []timelineStep
}

type timelineStep struct {
	ID    string // "queued", "approval", or a runs.Step* name
	Stage string // "plan" or "apply"; "" for queued and approval
	Label string
	// State is pending, running, done, failed, skipped or canceled; StateText how it reads
	// ("waiting" for an approval that is).
	State     string
	StateText string
	Duration  string // "" when unknown
	Started   components.Time
	Finished  components.Time
	start     time.Time
	end       time.Time
}

// stepLabels name the recorded steps; a destroy's plan and apply are labelled as such.
func stepLabel(id string, destroy bool) string {
	switch id {
	case runs.StepPlanInit, runs.StepApplyInit:
		return "Init"
	case runs.StepPlanCheck:
		return "Check"
	case runs.StepPlanPlan:
		if destroy {
			return "Destroy plan"
		}
		return "Plan"
	case runs.StepApplyApply:
		if destroy {
			return "Destroy"
		}
		return "Apply"
	}
	return id
}

// buildTimeline places a run's recorded steps between what the run itself says: when it
// was queued and started, who approved it, how it ended. A run from before steps were
// recorded has a stage row each, with the times the run has.
func buildTimeline(r store.Run, recorded []store.RunStep, now time.Time) timelineProps {
	destroy := r.Operation == store.RunOpDestroy
	byID := map[string]store.RunStep{}
	for _, s := range recorded {
		byID[s.Step] = s
	}
	var tl timelineProps
	add := func(id, stage, label string, state store.StepState, start, end time.Time) {
		tl.Steps = append(tl.Steps, timelineStep{ID: id, Stage: stage, Label: label, State: string(state), StateText: string(state),
			Duration: stepDuration(state, start, end, now), Started: components.NewTime(start), Finished: components.NewTime(end),
			start: start, end: end})
	}

	// Queued: from its creation until its plan stage started.
	queued := store.StepDone
	switch {
	case r.State == store.RunQueued:
		queued = store.StepRunning
	case r.StartedAt.IsZero():
		queued = store.StepCanceled
	}
	add("queued", "", "Queued", queued, r.CreatedAt, r.StartedAt)

	// How each stage ended, when its steps do not say (runs from before they were recorded).
	approved := r.ApprovedBy != ""
	planEnded, applyEnded := store.StepPending, store.StepPending
	switch r.State {
	case store.RunRunning:
		planEnded = store.StepRunning
	case store.RunPlanned, store.RunApproved:
		planEnded = store.StepDone
	case store.RunApplying:
		planEnded, applyEnded = store.StepDone, store.StepRunning
	case store.RunApplied:
		planEnded, applyEnded = store.StepDone, store.StepDone
	case store.RunDiscarded:
		planEnded, applyEnded = store.StepDone, store.StepSkipped
	case store.RunErrored, store.RunCanceled, store.RunInterrupted:
		ended := store.StepFailed
		if r.State != store.RunErrored {
			ended = store.StepCanceled
		}
		if approved {
			planEnded, applyEnded = store.StepDone, ended
		} else {
			planEnded, applyEnded = ended, store.StepSkipped
		}
		if r.StartedAt.IsZero() {
			planEnded = store.StepSkipped
		}
	}

	stage := func(name string, ids []string, ended store.StepState, start, end time.Time) {
		have := false
		for _, id := range ids {
			if _, ok := byID[id]; ok {
				have = true
			}
		}
		if have {
			for _, id := range ids {
				s, ok := byID[id]
				if !ok {
					s = store.RunStep{Step: id, State: store.StepPending}
				}
				state := s.State
				if (state == store.StepPending || state == store.StepRunning) && r.State.Done() {
					// The server stopped with the step in flight; the run says how it ended.
					state = store.StepCanceled
				}
				add(id, name, stepLabel(id, destroy), state, s.StartedAt, s.FinishedAt)
			}
			return
		}
		if ended == store.StepPending || ended == store.StepSkipped {
			for _, id := range ids {
				add(id, name, stepLabel(id, destroy), ended, time.Time{}, time.Time{})
			}
			return
		}
		// Recorded before steps were: the stage as a whole.
		add(name, name, stepLabel(ids[len(ids)-1], destroy), ended, start, end)
	}
	planEnd := time.Time{}
	if !approved && r.State.Done() {
		planEnd = r.FinishedAt
	}
	stage("plan", []string{runs.StepPlanInit, runs.StepPlanCheck, runs.StepPlanPlan}, planEnded, r.StartedAt, planEnd)

	approval := store.StepPending
	switch {
	case approved:
		approval = store.StepDone
	case r.State == store.RunPlanned:
		approval = store.StepRunning
	case r.State.Done():
		approval = store.StepSkipped
	}
	label := "Approval"
	if approved {
		label = "Approved by " + r.ApprovedBy
	}
	add("approval", "", label, approval, time.Time{}, time.Time{})
	if approval == store.StepRunning {
		tl.Steps[len(tl.Steps)-1].StateText = "waiting"
	}

	applyEnd := time.Time{}
	if approved && r.State.Done() {
		applyEnd = r.FinishedAt
	}
	stage("apply", []string{runs.StepApplyInit, runs.StepApplyApply}, applyEnded, time.Time{}, applyEnd)
	return tl
}

// stepDuration is how long a step took, or has been running: 0.4s, 12s, 2m10s.
func stepDuration(state store.StepState, start, end time.Time, now time.Time) string {
	if start.IsZero() {
		return ""
	}
	if end.IsZero() {
		if state != store.StepRunning {
			return ""
		}
		end = now
	}
	if end.Before(start) {
		return ""
	}
	return formatDuration(end.Sub(start), state == store.StepRunning)
}

// formatDuration rounds d for reading: tenths of a second under ten seconds (whole seconds
// while running, so a live timeline changes once a second), then seconds.
func formatDuration(d time.Duration, running bool) string {
	switch {
	case running || d >= 10*time.Second:
		return d.Round(time.Second).String()
	default:
		return d.Round(100 * time.Millisecond).String()
	}
}

// stageDuration is how long a stage's recorded steps took, from the first start to the
// last end; "" when not known.
func stageDuration(tl timelineProps, stage string) string {
	var start, end time.Time
	for _, s := range tl.Steps {
		if s.Stage != stage {
			continue
		}
		if !s.start.IsZero() && (start.IsZero() || s.start.Before(start)) {
			start = s.start
		}
		if s.end.After(end) {
			end = s.end
		}
	}
	if start.IsZero() || end.Before(start) {
		return ""
	}
	return formatDuration(end.Sub(start), false)
}

// stageState is how a stage went: failed or canceled if a step of it was, running while
// one runs, done when all are, else pending.
func stageState(tl timelineProps, stage string) string {
	state, any := "", false
	for _, s := range tl.Steps {
		if s.Stage != stage {
			continue
		}
		any = true
		switch s.State {
		case "failed", "canceled":
			return s.State
		case "running":
			state = "running"
		case "done":
			if state == "" {
				state = "done"
			}
		case "pending", "skipped":
			if state == "done" || state == "" {
				state = s.State
			}
		}
	}
	if !any {
		return "pending"
	}
	return state
}
