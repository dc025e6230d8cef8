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
	// Providers are the provider sources the deployment uses that neither the catalog nor
	// the project allows (policy.DisallowedProviders).
	Providers []policy.Disallowed
}

// Err returns a *BlockedError when a plan of the deployment must be refused, and nil
// otherwise. It is the one place that rule is written, and whoever is about to plan the
// deployment asks it. A plan is refused for
//
//   - a provider the project does not allow: its code would run with the environment's
//     secrets;
//   - a finding of a rule that blocks whatever the environment says (policy.Blocks): a
//     construct that runs a program or sends data out during the plan itself;
//   - any finding, in an environment that makes findings block plans.
func (v Verdict) Err() error { return v.refuse(v.Blocking) }

// RunErr is Err for a destroy and for the apply of a saved plan. The environment's
// "findings block plans" does not refuse them (a destroy removes what the findings are
// about; an apply applies exactly what was planned and approved), but the rest does: a
// destroy's plan and an apply configure every provider and read data sources too, so they
// would run the same code.
func (v Verdict) RunErr() error { return v.refuse(false) }

// refuse is the refusal with every finding counted (all), or only those that Block.
func (v Verdict) refuse(all bool) error {
	var findings []policy.Finding
	for _, f := range v.Findings {
		if all || f.Blocks {
			findings = append(findings, f)
		}
	}
	if len(findings) == 0 && len(v.Providers) == 0 {
		return nil
	}
	return &BlockedError{Environment: v.Environment, Findings: findings, Providers: v.Providers,
		ByEnvironment: all && len(findings) > 0}
}

// BlockedError refuses a run: the deployment uses a provider the project does not allow, or
// has guardrail findings that block. Callers recognise it with errors.As.
type BlockedError struct {
	Environment string
	// Findings are those that refuse the run: every finding when ByEnvironment, else those
	// that block whatever the environment says.
	Findings []policy.Finding
	// Providers are the provider sources the project does not allow.
	Providers []policy.Disallowed
	// ByEnvironment says the environment makes every finding block plans.
	ByEnvironment bool
}

// maxListedFindings is how many findings a BlockedError's message names.
const maxListedFindings = 3

// Error says why the run is refused, naming the first findings and the providers, and what
// to do about it.
func (e *BlockedError) Error() string {
	var parts []string
	if len(e.Findings) > 0 {
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
		if e.ByEnvironment {
			parts = append(parts, fmt.Sprintf("environment %s makes guardrail findings block plans, and the deployment has %d (%s); fix them in the blueprint, or change the rules or the environment",
				e.Environment, len(e.Findings), strings.Join(listed, ", ")))
		} else {
			n := len(e.Findings)
			parts = append(parts, fmt.Sprintf("the deployment has %d guardrail %s every run whatever the environment says (%s): %s a program or %s data out during the plan; remove %s from the blueprint, or have a project admin allow %s in the rule file",
				n, plural(n, "finding that blocks", "findings that block"), strings.Join(listed, ", "),
				plural(n, "it runs", "they run"), plural(n, "sends", "send"), plural(n, "it", "them"), plural(n, "it", "them")))
		}
	}
	if len(e.Providers) > 0 {
		var sources []string
		for _, p := range e.Providers {
			sources = append(sources, p.Source)
		}
		parts = append(parts, fmt.Sprintf("the deployment uses %s %s, which %s not allowed in this project; use providers of the catalog, or have a project admin allow %s on the project's guardrails page",
			plural(len(sources), "provider", "providers"), strings.Join(sources, ", "), plural(len(sources), "is", "are"), plural(len(sources), "it", "them")))
	}
	return strings.Join(parts, "; and ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
