package editor

import (
	"context"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Checker gives what a project's blueprints are checked with besides the catalog: its
// rules, the provider sources it allows and its deployments' state addresses.
// *deployment.Resolver has it.
type Checker interface {
	Checks(ctx context.Context, project string) (deployment.Checks, error)
}

// check checks the draft against the project: the errors on provider sources it does not
// allow, which join the validation diagnostics, the guardrail findings, and why the rule
// file could not be used ("" when it could).
func (s *Handlers) check(es *editorSession) (blueprint.Diagnostics, []policy.Finding, string, error) {
	checks, err := s.checks.Checks(es.ctx, es.project)
	if err != nil {
		return nil, nil, "", err
	}
	problem := ""
	if checks.RulesErr != nil {
		problem = "The project's rule file cannot be read (" + checks.RulesErr.Error() + "); the default rules apply."
	}
	diags, findings := checks.Check(es.bp, es.cat, nil)
	return diags, findings, problem, nil
}

// findingViews places each finding on its editor item and field, like a diagnostic.
func (s *Handlers) findingViews(es *editorSession, findings []policy.Finding) []editorDiagnostic {
	keys := map[string]map[string]bool{}
	var out []editorDiagnostic
	for _, f := range findings {
		d := editorDiagnostic{}
		d.Severity = "policy"
		d.Path = f.Path
		d.Summary = f.Rule + ": " + f.Message
		d.Detail = f.Fix
		d.Item, d.Field = es.locate(f.Path, keys)
		if d.Item == "" {
			d.Item = f.Resource
		}
		if d.Item != "" {
			d.URL = paths.EditItem(es.project, es.name, d.Item)
		}
		out = append(out, d)
	}
	return out
}
