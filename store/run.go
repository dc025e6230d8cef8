package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// RunState is where a run is in its lifecycle:
//
//	queued → running → planned → approved → applying → applied
//
// and, from the states that allow it, errored, canceled, discarded or
// interrupted (see RunState.Next).
type RunState string

// The run states.
const (
	RunQueued      RunState = "queued"      // waiting for its deployment or a free runner
	RunRunning     RunState = "running"     // planning
	RunPlanned     RunState = "planned"     // plan saved, waiting for approval
	RunApproved    RunState = "approved"    // approved, waiting for a free runner
	RunApplying    RunState = "applying"    // applying the saved plan
	RunApplied     RunState = "applied"     // done
	RunErrored     RunState = "errored"     // planning or applying failed
	RunCanceled    RunState = "canceled"    // stopped by a user
	RunDiscarded   RunState = "discarded"   // plan rejected by a user, or one with no changes, which ends by itself
	RunInterrupted RunState = "interrupted" // the server stopped while the run was in flight
)

// runTransitions lists the states each state may move to.
var runTransitions = map[RunState][]RunState{
	RunQueued:   {RunRunning, RunCanceled, RunInterrupted},
	RunRunning:  {RunPlanned, RunDiscarded, RunErrored, RunCanceled, RunInterrupted},
	RunPlanned:  {RunApproved, RunDiscarded, RunCanceled},
	RunApproved: {RunApplying, RunCanceled, RunInterrupted},
	RunApplying: {RunApplied, RunErrored, RunCanceled, RunInterrupted},
}

// Next lists the states s may move to; none for a finished run.
func (s RunState) Next() []RunState { return runTransitions[s] }

// Done reports whether s is final: applied, errored, canceled, discarded or
// interrupted.
func (s RunState) Done() bool {
	_, ok := runTransitions[s]
	return !ok && s.valid()
}

// CanMoveTo reports whether a run in state s may move to state to.
func (s RunState) CanMoveTo(to RunState) bool {
	for _, n := range runTransitions[s] {
		if n == to {
			return true
		}
	}
	return false
}

func (s RunState) valid() bool {
	switch s {
	case RunQueued, RunRunning, RunPlanned, RunApproved, RunApplying, RunApplied,
		RunErrored, RunCanceled, RunDiscarded, RunInterrupted:
		return true
	}
	return false
}

// RunOperation is what a run does once approved.
type RunOperation string

// The run operations.
const (
	// RunOpPlan plans the deployment's changes; approved, it applies them.
	RunOpPlan RunOperation = "plan"
	// RunOpApply is reserved for runs that apply without waiting for
	// approval; nothing creates them yet.
	RunOpApply RunOperation = "apply"
	// RunOpDestroy plans destroying everything the deployment manages;
	// approved, it destroys it.
	RunOpDestroy RunOperation = "destroy"
)

// maxRunIDBytes matches the CHECK on runs.id.
const maxRunIDBytes = 64

// Run is one plan (and, once approved, apply) of a deployment. Its saved
// plan file and plan JSON are read separately (RunPlan): they can be
// large, and they are sealed.
type Run struct {
	ID           string
	DeploymentID int64
	// Project is the name of the deployment's project.
	Project          string
	Operation        RunOperation
	State            RunState
	BlueprintVersion int
	CreatedBy        string
	// ApprovedBy is who approved the plan; CanceledBy who canceled or
	// discarded the run.
	ApprovedBy string
	CanceledBy string
	CreatedAt  time.Time
	// StartedAt is when planning started; zero while queued.
	StartedAt time.Time
	// FinishedAt is when the run reached a final state; zero before.
	FinishedAt time.Time
	// Error says why the run errored or was interrupted.
	Error string
	// Summary is the plan's summary as JSON (the runs package's Summary);
	// nil before the plan is saved.
	Summary []byte
	// PlanSealed says the saved plan and its JSON are stored sealed (package
	// runs seals them with the secret key). Plans saved before migration 0013
	// are not, until the run service seals them at start.
	PlanSealed bool
}

// RunTransition is a move of a run to another state, with what the new
// state records.
type RunTransition struct {
	To RunState
	// By is the user behind the move: recorded as ApprovedBy for
	// RunApproved, as CanceledBy for RunCanceled and RunDiscarded.
	By string
	// Error is recorded for RunErrored and RunInterrupted (and kept for
	// RunCanceled when given).
	Error string
	// Plan, PlanJSON and Summary are recorded for RunPlanned, and required
	// there. Summary alone is recorded for RunDiscarded when given: a plan
	// with no changes is discarded as it is saved, and keeps what it found.
	Plan, PlanJSON, Summary []byte
	// PlanSealed says Plan and PlanJSON are sealed; RunPlanned requires it,
	// since a saved plan holds the run's secret variables and its JSON every
	// value of the plan.
	PlanSealed bool
}

// CreateRun stores a new run in state RunQueued and returns it as stored.
// r.ID is chosen by the caller (lowercase letters, digits and '-', at
// most 64 bytes); an ID already used is ErrConflict, a missing deployment
// ErrNotFound. State, times, Error and Summary in r are ignored.
func (s *Store) CreateRun(ctx context.Context, r Run) (Run, error) {
	fail := func(err error) (Run, error) {
		return Run{}, fmt.Errorf("creating run %s of deployment %d: %w", quote(r.ID), r.DeploymentID, err)
	}
	if err := validRunID(r.ID); err != nil {
		return fail(err)
	}
	switch r.Operation {
	case RunOpPlan, RunOpApply, RunOpDestroy:
	default:
		return fail(fmt.Errorf("operation %s is not plan, apply or destroy", quote(string(r.Operation))))
	}
	if err := checkText("user name", r.CreatedBy); err != nil {
		return fail(err)
	}
	r = Run{
		ID:               r.ID,
		DeploymentID:     r.DeploymentID,
		Operation:        r.Operation,
		State:            RunQueued,
		BlueprintVersion: r.BlueprintVersion,
		CreatedBy:        r.CreatedBy,
		CreatedAt:        s.now(),
	}
	err := s.inTx(ctx, func(tx *txn) error {
		err := tx.QueryRowContext(ctx, `SELECT p.name FROM deployments d JOIN projects p ON p.id = d.project_id WHERE d.id = ?`,
			r.DeploymentID).Scan(&r.Project)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, err, "no such deployment")
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO runs (id, deployment_id, operation, state, blueprint_version, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.DeploymentID, string(r.Operation), string(r.State), r.BlueprintVersion, r.CreatedBy, formatTime(r.CreatedAt))
		if isUnique(err) {
			return errorf(ErrConflict, err, "run id is taken")
		}
		if err != nil {
			return err
		}
		return tx.notify(ctx, RunQueueChannel, r.ID)
	})
	if err != nil {
		return fail(err)
	}
	return r, nil
}

func validRunID(id string) error {
	ok := len(id) >= 1 && len(id) <= maxRunIDBytes
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'
	}
	if ok {
		return nil
	}
	return errorf(ErrInvalidName, nil, "run id %s is not valid: use 1-64 lowercase letters, digits or '-'", quote(id))
}

const runSelect = `SELECT r.id, r.deployment_id, p.name, r.operation, r.state, r.blueprint_version,
	r.created_by, r.approved_by, r.canceled_by, r.created_at, r.started_at, r.finished_at, r.error, r.summary,
	r.plan_sealed
	FROM runs r
	JOIN deployments d ON d.id = r.deployment_id
	JOIN projects p ON p.id = d.project_id`

// nullTime scans a stored time that may be NULL; NULL leaves dst zero.
type nullTime struct{ dst *time.Time }

func (c nullTime) Scan(v any) error {
	if v == nil {
		return nil
	}
	return timeColumn(c).Scan(v)
}

func scanRun(row interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var op, state string
	var summary sql.NullString
	err := row.Scan(&r.ID, &r.DeploymentID, &r.Project, &op, &state, &r.BlueprintVersion, &r.CreatedBy, &r.ApprovedBy, &r.CanceledBy,
		timeColumn{&r.CreatedAt}, nullTime{&r.StartedAt}, nullTime{&r.FinishedAt}, &r.Error, &summary, &r.PlanSealed)
	r.Operation, r.State = RunOperation(op), RunState(state)
	if summary.Valid {
		r.Summary = []byte(summary.String)
	}
	return r, err
}

func queryRuns(ctx context.Context, q querier, query string, args ...any) ([]Run, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var rs []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// Run returns the run with the given id, or ErrNotFound.
func (s *Store) Run(ctx context.Context, id string) (Run, error) {
	r, err := scanRun(s.db.QueryRowContext(ctx, runSelect+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such run")
	}
	if err != nil {
		return Run{}, fmt.Errorf("reading run %s: %w", quote(id), err)
	}
	return r, nil
}

// DeploymentRuns lists the runs of a deployment, newest first, at most
// limit of them (all when limit <= 0).
func (s *Store) DeploymentRuns(ctx context.Context, deploymentID int64, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = noLimit
	}
	rs, err := queryRuns(ctx, s.db, runSelect+` WHERE r.deployment_id = ? ORDER BY r.seq DESC LIMIT ?`, deploymentID, limit)
	if err != nil {
		return nil, fmt.Errorf("listing runs of deployment %d: %w", deploymentID, err)
	}
	return rs, nil
}

// RunsInState lists the runs in any of the given states across all
// deployments, oldest first.
func (s *Store) RunsInState(ctx context.Context, states ...RunState) ([]Run, error) {
	if len(states) == 0 {
		return nil, nil
	}
	args := make([]any, len(states))
	for i, st := range states {
		args[i] = string(st)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(states)), ", ")
	rs, err := queryRuns(ctx, s.db, runSelect+` WHERE r.state IN (`+marks+`) ORDER BY r.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing runs in states %v: %w", states, err)
	}
	return rs, nil
}

// TransitionRun moves a run to tr.To and returns it as stored. A move that
// the run's current state does not allow (RunState.CanMoveTo) is
// ErrConflict and changes nothing, so two callers racing to approve and
// discard the same plan cannot both win. Reaching RunRunning records
// StartedAt; reaching a final state records FinishedAt.
func (s *Store) TransitionRun(ctx context.Context, id string, tr RunTransition) (Run, error) {
	fail := func(err error) (Run, error) {
		return Run{}, fmt.Errorf("moving run %s to %s: %w", quote(id), tr.To, err)
	}
	if !tr.To.valid() {
		return fail(fmt.Errorf("state %s is not a run state", quote(string(tr.To))))
	}
	if err := checkText("user name", tr.By); err != nil {
		return fail(err)
	}
	if len(tr.Error) > MaxTextBytes {
		tr.Error = tr.Error[:MaxTextBytes]
	}
	if tr.To == RunPlanned {
		if tr.Plan == nil || tr.PlanJSON == nil || tr.Summary == nil {
			return fail(errors.New("a planned run needs its plan, plan JSON and summary"))
		}
		if !tr.PlanSealed {
			return fail(errors.New("a saved plan is stored sealed: it holds the run's secrets"))
		}
		if len(tr.Plan) > maxPlanBytes || len(tr.PlanJSON) > maxPlanBytes {
			return fail(errorf(ErrTooLarge, nil, "the plan is %d bytes and its JSON %d bytes; the limit is %d bytes each",
				len(tr.Plan), len(tr.PlanJSON), maxPlanBytes))
		}
	}
	if tr.To != RunPlanned {
		tr.Plan, tr.PlanJSON, tr.PlanSealed = nil, nil, false
		if tr.To != RunDiscarded {
			tr.Summary = nil
		}
	}

	// With an Archive, the plan goes there first, so a planned run always has its plan.
	planArchived := false
	if tr.To == RunPlanned {
		var err error
		if planArchived, err = s.putPlan(ctx, id, tr.Plan, tr.PlanJSON); err != nil {
			return fail(err)
		}
		if planArchived {
			tr.Plan, tr.PlanJSON = nil, nil
		}
	}
	now := s.now()
	var r Run
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		r, err = scanRun(tx.QueryRowContext(ctx, runSelect+` WHERE r.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, err, "no such run")
		}
		if err != nil {
			return err
		}
		if !r.State.CanMoveTo(tr.To) {
			return errorf(ErrConflict, nil, "the run is %s", r.State)
		}
		r = applyTransition(r, tr, now)
		_, err = tx.ExecContext(ctx, `UPDATE runs SET state = ?, approved_by = ?, canceled_by = ?,
			started_at = ?, finished_at = ?, error = ?,
			plan = coalesce(?, plan), plan_json = coalesce(?, plan_json), summary = coalesce(?, summary),
			plan_sealed = CASE WHEN ? = 1 THEN 1 ELSE plan_sealed END,
			plan_archived = CASE WHEN ? = 1 THEN 1 ELSE plan_archived END
			WHERE id = ?`,
			string(r.State), r.ApprovedBy, r.CanceledBy, optTime(r.StartedAt), optTime(r.FinishedAt), r.Error,
			optBytes(tr.Plan), optBytes(tr.PlanJSON), optText(tr.Summary), tr.PlanSealed, planArchived, id)
		if err != nil || !queueMoves(r.State) {
			return err
		}
		return tx.notify(ctx, RunQueueChannel, id)
	})
	if err != nil {
		if planArchived {
			s.dropPlan(ctx, id)
		}
		return fail(err)
	}
	return r, nil
}

// RunQueueChannel is the channel the store notifies with a run's id when a run may have
// become claimable (ClaimRun): a run was created or approved, or one ended and freed its
// deployment for the next (see Listen). Servers claim on it rather than wait for their poll.
const RunQueueChannel = "run_queue"

// queueMoves reports whether a run reaching state may make a run claimable.
func queueMoves(state RunState) bool {
	return state == RunApproved || state.Done()
}

func applyTransition(r Run, tr RunTransition, now time.Time) Run {
	if tr.To == RunRunning && r.StartedAt.IsZero() {
		r.StartedAt = now
	}
	r.State = tr.To
	switch tr.To {
	case RunApproved:
		r.ApprovedBy = tr.By
	case RunCanceled, RunDiscarded:
		r.CanceledBy = tr.By
		if tr.Summary != nil {
			r.Summary = tr.Summary
		}
	case RunPlanned:
		r.Summary = tr.Summary
		r.PlanSealed = r.PlanSealed || tr.PlanSealed
	}
	if tr.Error != "" {
		r.Error = tr.Error
	}
	if tr.To.Done() {
		r.FinishedAt = now
	}
	return r
}

func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func optBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func optText(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}
