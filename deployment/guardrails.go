package deployment

import (
	"fmt"
	"strings"

	"github.com/cloudoven/cloudoven/policy"
)

// Verdict is what a project's guardrails say of a deployment.
type Verdict struct {
	// Environment is the deployment's environment, whose runner settings say whether
	// findings block.
	Environment string
	// Findings are policy.Check's, in its order.
	Findings []policy.Finding
	// Blocking says the environment makes guardrail findings block plans
	// (blueprint.RunnerSettings.PolicyBlocking).
	Blocking bool
}

// Err returns a *BlockedError when the environment makes findings block plans and there are
// some, and nil otherwise. It is the one place that rule is written: whoever is about to plan
// the deployment asks it (a destroy, which removes what the findings are about, does not).
func (v Verdict) Err() error {
	if !v.Blocking || len(v.Findings) == 0 {
		return nil
	}
	return &BlockedError{Environment: v.Environment, Findings: v.Findings}
}

// BlockedError refuses a plan: the environment makes guardrail findings block plans, and the
// deployment has some. Callers recognise it with errors.As.
type BlockedError struct {
	Environment string
	Findings    []policy.Finding
}

// maxListedFindings is how many findings a BlockedError's message names.
const maxListedFindings = 3

// Error says which environment refused the plan, how many findings it has and the first of
// them, and what to do about it.
func (e *BlockedError) Error() string {
	var listed []string
	for i, f := range e.Findings {
		if i == maxListedFindings {
			listed = append(listed, "…")
			break
		}
		where := f.Resource
		if where == "" {
			where = f.Path
		}
		listed = append(listed, f.Rule+" on "+where)
	}
	return fmt.Sprintf("environment %s makes guardrail findings block plans, and the deployment has %d (%s); fix them in the blueprint, or change the rules or the environment",
		e.Environment, len(e.Findings), strings.Join(listed, ", "))
}
