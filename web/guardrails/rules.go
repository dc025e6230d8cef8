package guardrails

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Guardrails: each project keeps a small rule file (JSON, package policy) that every editor
// view and deployment checks its blueprint against. A project without one uses the default
// rules. Findings are advice in the editor; an environment can make them block a plan.

// Store is what the rules page keeps in the store: the project, its rule file and the
// provider sources it allows. *store.Store has it.
type Store interface {
	deployment.RuleStore
	deployment.ProviderStore
	Project(ctx context.Context, name string) (store.Project, error)
	SetProjectPolicy(ctx context.Context, project string, document []byte) error
	AllowProvider(ctx context.Context, project, source, user string) (store.ProjectProvider, error)
	DisallowProvider(ctx context.Context, project, source string) error
}

// Handlers answers a project's guardrail rules page.
type Handlers struct {
	frame   *page.Frame
	store   Store
	catalog func() *catalog.Catalog
}

// New returns the rules page's handlers; catalog gives the catalog of each request, whose
// providers every project may use.
func New(frame *page.Frame, st Store, catalog func() *catalog.Catalog) *Handlers {
	return &Handlers{frame: frame, store: st, catalog: catalog}
}

// Routes registers the rules page: members read it, project admins change the rules and
// the provider sources the project allows.
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("GET /projects/{project}/rules", page.Viewer, s.showRules)
	rt.Handle("POST /projects/{project}/rules", page.Admin.Audited("rules.save"), s.saveRules)
	// Audited by the handlers, which name the source as the project's list keeps it.
	rt.Handle("POST /projects/{project}/providers", page.Admin, s.allowProvider)
	rt.Handle("POST /projects/{project}/providers/remove", page.Admin, s.removeProvider)
}

// projectRules reads a project's rules: its rule file, or the defaults when it has none.
// The raw file comes back too ("" for the defaults). See deployment.Rules: on an error the
// rules are the defaults.
func (s *Handlers) projectRules(ctx context.Context, project string) (policy.Rules, string, error) {
	return deployment.Rules(ctx, s.store, project)
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
	Providers  providersProps
}

type ruleRow struct {
	ID          string
	Enabled     bool
	Blocks      bool // its findings refuse every plan, whatever the environment says
	Description string
	Settings    string
}

func (s *Handlers) rulesPage(r *http.Request, project, doc, problem string) (rulesProps, error) {
	providers, err := s.providersSection(r.Context(), project)
	if err != nil {
		return rulesProps{}, err
	}
	rules, stored, rerr := s.projectRules(r.Context(), project)
	if rerr != nil && problem == "" {
		problem = "The stored rule file cannot be read: " + rerr.Error()
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
		Providers:  providers,
	}
	for _, rule := range rules.Rules {
		var settings []string
		if len(rule.Tags) > 0 {
			settings = append(settings, "tags: "+strings.Join(rule.Tags, ", "))
		}
		if len(rule.Allow) > 0 {
			settings = append(settings, "allowed: "+strings.Join(rule.Allow, ", "))
		}
		p.Rules = append(p.Rules, ruleRow{ID: rule.ID, Enabled: rule.On(), Blocks: policy.Blocks(rule.ID),
			Description: policy.Describe(rule.ID), Settings: strings.Join(settings, "; ")})
	}
	return p, nil
}

// showRules answers GET /projects/{project}/rules.
func (s *Handlers) showRules(w http.ResponseWriter, r *http.Request) error {
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
func (s *Handlers) saveRules(w http.ResponseWriter, r *http.Request) error {
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
	if err := s.store.SetProjectPolicy(r.Context(), project, []byte(doc)); err != nil {
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
