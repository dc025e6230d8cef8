package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// maxPlanBytes bounds a saved plan and its JSON rendering each, as stored: sealed, so with
// room for the nonce and tag sealing adds to the 64 MiB the runs package keeps at most.
const maxPlanBytes = 64<<20 + 1<<10

// RunPlan returns the saved plan file of a run and its JSON rendering as stored: sealed
// when the run's PlanSealed is set. Both are nil before the run is planned. A missing run
// is ErrNotFound.
//
// A plan saved while the store had an Archive is read from there.
func (s *Store) RunPlan(ctx context.Context, id string) (plan, planJSON []byte, err error) {
	var archived bool
	err = s.db.QueryRowContext(ctx, `SELECT plan, plan_json, plan_archived <> 0 FROM runs WHERE id = ?`, id).Scan(&plan, &planJSON, &archived)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such run")
	}
	if err == nil && archived {
		plan, planJSON, err = s.archivedPlan(ctx, id)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("reading the plan of run %s: %w", quote(id), err)
	}
	return plan, planJSON, nil
}

// UnsealedRunPlans lists, oldest first, the runs whose saved plan is stored in the clear:
// those planned before migration 0013, which the run service seals at start.
func (s *Store) UnsealedRunPlans(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM runs WHERE plan IS NOT NULL AND plan_sealed = 0 ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("listing runs with plans in the clear: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("listing runs with plans in the clear: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing runs with plans in the clear: %w", err)
	}
	return ids, nil
}

// SealRunPlan replaces a run's saved plan and plan JSON, stored in the clear, with their
// sealed forms, and marks them sealed. A run whose plan is already sealed, or that has none,
// is ErrConflict and keeps what it has; a missing run is ErrNotFound.
func (s *Store) SealRunPlan(ctx context.Context, id string, plan, planJSON []byte) error {
	fail := func(err error) error {
		return fmt.Errorf("sealing the plan of run %s: %w", quote(id), err)
	}
	if plan == nil || planJSON == nil {
		return fail(errors.New("a sealed plan needs the plan and its JSON"))
	}
	if len(plan) > maxPlanBytes || len(planJSON) > maxPlanBytes {
		return fail(errorf(ErrTooLarge, nil, "the plan is %d bytes and its JSON %d bytes; the limit is %d bytes each",
			len(plan), len(planJSON), maxPlanBytes))
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var sealed, has bool
		err := tx.QueryRowContext(ctx, `SELECT plan_sealed, plan IS NOT NULL FROM runs WHERE id = ?`, id).Scan(&sealed, &has)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errorf(ErrNotFound, err, "no such run")
		case err != nil:
			return err
		case sealed:
			return errorf(ErrConflict, nil, "its plan is sealed already")
		case !has:
			return errorf(ErrConflict, nil, "it has no saved plan")
		}
		_, err = tx.ExecContext(ctx, `UPDATE runs SET plan = ?, plan_json = ?, plan_sealed = 1 WHERE id = ?`, plan, planJSON, id)
		return err
	})
	if err != nil {
		return fail(err)
	}
	return nil
}
