package runs

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudoven/cloudoven/store"
)

// Parts of a saved plan, sealed apart: each with its own additional data, so that one
// cannot be opened as the other, or as another run's.
const (
	partPlan     = "plan"
	partPlanJSON = "plan.json"
)

// planAD binds a sealed part of a saved plan to its run. Run ids (store's validRunID) hold
// no NUL; the prefix keeps these apart from anything else the key seals.
func planAD(runID, part string) []byte {
	return []byte("cloudoven saved plan v1\x00" + runID + "\x00" + part)
}

// sealPlan seals a run's saved plan and its JSON for the store.
func sealPlan(sealer Sealer, runID string, plan, planJSON []byte) (sealedPlan, sealedJSON []byte, err error) {
	if sealedPlan, err = sealer.Seal(plan, planAD(runID, partPlan)); err != nil {
		return nil, nil, fmt.Errorf("sealing the saved plan: %w", err)
	}
	if sealedJSON, err = sealer.Seal(planJSON, planAD(runID, partPlanJSON)); err != nil {
		return nil, nil, fmt.Errorf("sealing the plan's JSON: %w", err)
	}
	return sealedPlan, sealedJSON, nil
}

// savedPlan reads a run's saved plan and its JSON from the store and opens them. A plan
// stored in the clear (before migration 0013, and not sealed since) is returned as it is.
func (s *Service) savedPlan(ctx context.Context, r Run) (plan, planJSON []byte, err error) {
	plan, planJSON, err = s.opts.Store.RunPlan(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	if plan == nil {
		return nil, nil, errors.New("the run has no saved plan")
	}
	if !r.PlanSealed {
		return plan, planJSON, nil
	}
	if plan, err = s.opts.Sealer.Open(plan, planAD(r.ID, partPlan)); err != nil {
		return nil, nil, fmt.Errorf("opening the saved plan (was the secret key changed?): %w", err)
	}
	if planJSON, err = s.opts.Sealer.Open(planJSON, planAD(r.ID, partPlanJSON)); err != nil {
		return nil, nil, fmt.Errorf("opening the plan's JSON (was the secret key changed?): %w", err)
	}
	return plan, planJSON, nil
}

// SealSavedPlans seals, with sealer, the saved plans that st holds in the clear (as builds
// before migration 0013 stored them), and returns how many it sealed. A server calls it at
// start, through Service.Start, or by itself when it runs no Service.
func SealSavedPlans(ctx context.Context, st Store, sealer Sealer) (int, error) {
	fail := func(err error) (int, error) {
		return 0, fmt.Errorf("sealing saved plans stored in the clear: %w", err)
	}
	if sealer == nil {
		return fail(errors.New("no Sealer"))
	}
	ids, err := st.UnsealedRunPlans(ctx)
	if err != nil {
		return fail(err)
	}
	n := 0
	for _, id := range ids {
		plan, planJSON, err := st.RunPlan(ctx, id)
		if err != nil {
			return fail(err)
		}
		if planJSON == nil {
			planJSON = []byte{} // an old row may lack it; sealed, it is still nothing
		}
		sealedPlan, sealedJSON, err := sealPlan(sealer, id, plan, planJSON)
		if err != nil {
			return fail(fmt.Errorf("run %s: %w", id, err))
		}
		err = st.SealRunPlan(ctx, id, sealedPlan, sealedJSON)
		if errors.Is(err, store.ErrConflict) {
			continue // sealed (or dropped) by another process meanwhile
		}
		if err != nil {
			return fail(err)
		}
		n++
	}
	return n, nil
}
