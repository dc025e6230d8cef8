package runs

import (
	"context"
	"errors"
	"fmt"
)

// PlanDiff opens run r's saved plan JSON and returns what the plan changes, attribute by
// attribute, for the run page. The JSON was redacted of the environment's secrets before it
// was sealed, and DiffPlan never reads a value marked sensitive. It is built on each call
// and never stored: it holds the plan's values, which the store keeps only sealed.
func (s *Service) PlanDiff(ctx context.Context, r Run) (Diff, error) {
	fail := func(err error) (Diff, error) {
		return Diff{}, fmt.Errorf("reading the changes of run %s: %w", r.ID, err)
	}
	_, planJSON, err := s.opts.Store.RunPlan(ctx, r.ID)
	if err != nil {
		return fail(err)
	}
	if len(planJSON) == 0 {
		return fail(errors.New("the run has no saved plan"))
	}
	if r.PlanSealed {
		if planJSON, err = s.opts.Sealer.Open(planJSON, planAD(r.ID, partPlanJSON)); err != nil {
			return fail(fmt.Errorf("opening the plan's JSON (was the secret key changed?): %w", err))
		}
	}
	d, err := DiffPlan(planJSON)
	if err != nil {
		return fail(err)
	}
	return d, nil
}
