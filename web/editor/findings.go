package editor

import (
	"context"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/web/paths"
)

// findingViews checks b against the project's rules and places each finding on its editor
// item and field, like a diagnostic.
func (s *Handlers) findingViews(ctx context.Context, es *editorSession, registries []string) ([]editorDiagnostic, string) {
	rules, _, err := deployment.Rules(ctx, s.store, es.project)
	problem := ""
	if err != nil {
		problem = "The project's rule file cannot be read (" + err.Error() + "); the default rules apply."
	}
	keys := map[string]map[string]bool{}
	var out []editorDiagnostic
	for _, f := range policy.Check(es.bp, rules, policy.Options{AllowedRegistries: registries, Catalog: es.cat}) {
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
	return out, problem
}
