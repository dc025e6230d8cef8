package runs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// PlanDiff opens run r's saved plan JSON and returns what the plan changes, attribute by
// attribute, for the run page. The JSON was redacted of the environment's secrets before it
// was sealed, and DiffPlan never reads a value marked sensitive. The Diff is never stored:
// it holds the plan's values, which the store keeps only sealed. The last few are kept in
// memory, since a run's saved plan never changes and its page asks again on each change of
// the run's state.
func (s *Service) PlanDiff(ctx context.Context, r Run) (Diff, error) {
	if d, ok := s.diffs.get(r.ID); ok {
		return d, nil
	}
	d, err := s.planDiff(ctx, r)
	if err == nil {
		s.diffs.put(r.ID, d)
	}
	return d, err
}

func (s *Service) planDiff(ctx context.Context, r Run) (Diff, error) {
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

// diffCacheSize bounds the diffs kept: each holds at most defaultDiffLimits.total
// attributes of at most 200 characters a side.
const diffCacheSize = 8

// diffCache keeps the last diffs read, by run id; its zero value is empty.
type diffCache struct {
	mu    sync.Mutex
	ids   []string // oldest first
	diffs map[string]Diff
}

func (c *diffCache) get(id string) (Diff, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.diffs[id]
	return d, ok
}

func (c *diffCache) put(id string, d Diff) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.diffs == nil {
		c.diffs = map[string]Diff{}
	}
	if _, ok := c.diffs[id]; ok {
		return
	}
	if len(c.ids) == diffCacheSize {
		delete(c.diffs, c.ids[0])
		c.ids = slices.Delete(c.ids, 0, 1)
	}
	c.ids = append(c.ids, id)
	c.diffs[id] = d
}
