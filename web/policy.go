package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Guardrails: each project keeps a small rule file (JSON, package policy) that every editor
// view and deployment checks its blueprint against. A project without one uses the default
// rules. Findings are advice in the editor; an environment can make them block a plan.

// policyStore is the part of *store.Store that keeps rule files.
type policyStore interface {
	ProjectPolicy(ctx context.Context, project string) ([]byte, error)
	SetProjectPolicy(ctx context.Context, project string, document []byte) error
}

// projectRules reads a project's rules: its rule file, or the defaults when it has none (or
// the store keeps no rule files). The raw file comes back too ("" for the defaults). See
// deployment.Rules: on an error the rules are the defaults.
func (s *server) projectRules(ctx context.Context, project string) (policy.Rules, string, error) {
	return deployment.Rules(ctx, s.ruleStore(), project)
}

// ruleStore is the store as a keeper of rule files; nil when it keeps none.
func (s *server) ruleStore() deployment.RuleStore {
	if ps, ok := s.store.(policyStore); ok {
		return ps
	}
	return nil
}

// findingViews checks b against the project's rules and places each finding on its editor
// item and field, like a diagnostic.
func (s *server) findingViews(ctx context.Context, es *editorSession, registries []string) ([]editorDiagnostic, string) {
	rules, _, err := s.projectRules(ctx, es.project)
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

// rulesProps is the project's rules page.
type rulesProps struct {
	Layout     page.Layout
	Project    string
	ProjectURL string
	Rules      []ruleRow
	Document   string
	Problem    string
	Saved      bool
}

type ruleRow struct {
	ID          string
	Enabled     bool
	Description string
	Settings    string
}

func (s *server) rulesPage(r *http.Request, project, doc, problem string) (rulesProps, error) {
	rules, stored, err := s.projectRules(r.Context(), project)
	if err != nil && problem == "" {
		problem = "The stored rule file cannot be read: " + err.Error()
	}
	if doc == "" {
		doc = stored
	}
	if doc == "" {
		doc = "{\n  \"rules\": []\n}\n"
	}
	p := rulesProps{
		Layout:     s.frame.Layout("Guardrails of "+project, page.NavProjects, page.InProject(project)...),
		Project:    project,
		ProjectURL: paths.Project(project),
		Document:   doc,
		Problem:    problem,
	}
	for _, rule := range rules.Rules {
		var settings []string
		if len(rule.Tags) > 0 {
			settings = append(settings, "tags: "+strings.Join(rule.Tags, ", "))
		}
		if len(rule.Allow) > 0 {
			settings = append(settings, "allowed: "+strings.Join(rule.Allow, ", "))
		}
		p.Rules = append(p.Rules, ruleRow{ID: rule.ID, Enabled: rule.On(), Description: policy.Describe(rule.ID), Settings: strings.Join(settings, "; ")})
	}
	return p, nil
}

// showRules answers GET /projects/{project}/rules.
func (s *server) showRules(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	if _, err := s.store.Project(r.Context(), project); err != nil {
		return err
	}
	p, err := s.rulesPage(r, project, "", "")
	if err != nil {
		return err
	}
	p.Saved = r.URL.Query().Get("saved") == "1"
	return s.frame.Render(w, r, http.StatusOK, rulesPage(p), "")
}

// saveRules answers POST /projects/{project}/rules: the rule file is checked with
// policy.ParseRules before it is stored; a bad one comes back with the problem, as typed.
func (s *server) saveRules(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	if err := page.ParseForm(w, r, store.MaxPolicyBytes+page.MaxFormBytes); err != nil {
		p, perr := s.rulesPage(r, project, "", "The form is larger than CloudOven accepts; nothing was saved.")
		if perr != nil {
			return perr
		}
		return s.frame.Render(w, r, http.StatusRequestEntityTooLarge, rulesPage(p), "")
	}
	doc := r.PostForm.Get("rules")
	if _, err := policy.ParseRules([]byte(doc)); err != nil {
		p, perr := s.rulesPage(r, project, doc, page.Capitalize(err.Error())+".")
		if perr != nil {
			return perr
		}
		return s.frame.Render(w, r, http.StatusUnprocessableEntity, rulesPage(p), "")
	}
	ps, ok := s.store.(policyStore)
	if !ok {
		return errors.New("this store keeps no rule files")
	}
	if err := ps.SetProjectPolicy(r.Context(), project, []byte(doc)); err != nil {
		if errors.Is(err, store.ErrTooLarge) {
			p, perr := s.rulesPage(r, project, doc, "The rule file is larger than CloudOven stores; nothing was saved.")
			if perr != nil {
				return perr
			}
			return s.frame.Render(w, r, http.StatusRequestEntityTooLarge, rulesPage(p), "")
		}
		return err
	}
	page.Redirect(w, r, paths.RulesSaved(project))
	return nil
}
