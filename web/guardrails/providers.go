package guardrails

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Providers: a plan runs every provider's code with the environment's secrets, so a
// blueprint may use the catalog's providers, which the platform crawled, and the sources a
// project admin allows here; any other is an error wherever the blueprint is checked, and
// refuses every plan (package policy, DisallowedProviders).

// providersProps is the rules page's providers section.
type providersProps struct {
	AllowURL  string
	RemoveURL string
	Rows      []providerRow
	Source    string // the source typed into the form, kept when it is refused
	Problem   string
}

type providerRow struct {
	Source  string
	Origin  string // catalog or project
	Version string // the catalog's version
	AddedBy string
	Added   components.Time
}

// providersSection lists the catalog's providers, then the sources the project allows.
func (s *Handlers) providersSection(ctx context.Context, project string) (providersProps, error) {
	p := providersProps{AllowURL: paths.Providers(project), RemoveURL: paths.ProviderRemove(project)}
	for _, cp := range s.catalog().Providers() {
		p.Rows = append(p.Rows, providerRow{Source: cp.Source, Origin: "catalog", Version: cp.Version})
	}
	allowed, err := s.store.ProjectProviders(ctx, project)
	if err != nil {
		return p, err
	}
	for _, a := range allowed {
		p.Rows = append(p.Rows, providerRow{Source: a.Source, Origin: "project", AddedBy: a.AddedBy, Added: components.NewTime(a.AddedAt)})
	}
	return p, nil
}

// refuseProvider renders the rules page with the providers form's problem.
func (s *Handlers) refuseProvider(w http.ResponseWriter, r *http.Request, status int, source, problem string) error {
	p, err := s.rulesPage(r, r.PathValue("project"), "", "")
	if err != nil {
		return err
	}
	p.Providers.Source, p.Providers.Problem = source, problem
	return s.frame.Render(w, r, status, rulesPage(p), "")
}

// allowProvider answers POST /projects/{project}/providers: the source is checked with
// policy.ParseProviderSource and kept in its full form, which the audit log names.
func (s *Handlers) allowProvider(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.refuseProvider(w, r, page.FormStatus(err), "", page.FormRefusal(err))
	}
	typed := r.PostForm.Get("source")
	if len(typed) > policy.MaxSourceBytes {
		typed = "" // do not send a hostile value back into the page
	}
	source, err := policy.ParseProviderSource(r.PostForm.Get("source"))
	if err != nil {
		return s.refuseProvider(w, r, http.StatusUnprocessableEntity, typed, page.Capitalize(err.Error())+".")
	}
	if s.catalog().Provider(source) != nil {
		return s.refuseProvider(w, r, http.StatusUnprocessableEntity, typed,
			fmt.Sprintf("%s is in the catalog: every project may use it already.", source))
	}
	_, err = s.store.AllowProvider(r.Context(), project, source, page.SignedInUser(r.Context()))
	switch {
	case errors.Is(err, store.ErrConflict):
		return s.refuseProvider(w, r, http.StatusUnprocessableEntity, typed, fmt.Sprintf("The project allows %s already.", source))
	case errors.Is(err, store.ErrTooLarge):
		return s.refuseProvider(w, r, http.StatusUnprocessableEntity, typed,
			fmt.Sprintf("The project allows %d provider sources, the most it may; take one back first.", store.MaxProjectProviders))
	case err != nil:
		return err
	}
	s.frame.Audit(r, "provider.allow", project, source, "")
	page.Redirect(w, r, paths.Rules(project))
	return nil
}

// removeProvider answers POST /projects/{project}/providers/remove: blueprints that use the
// source are refused again from then on, plans queued before included.
func (s *Handlers) removeProvider(w http.ResponseWriter, r *http.Request) error {
	project := r.PathValue("project")
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.refuseProvider(w, r, page.FormStatus(err), "", page.FormRefusal(err))
	}
	source := strings.TrimSpace(r.PostForm.Get("source"))
	err := s.store.DisallowProvider(r.Context(), project, source)
	if errors.Is(err, store.ErrNotFound) {
		if _, perr := s.store.Project(r.Context(), project); perr != nil {
			return perr
		}
		return s.refuseProvider(w, r, http.StatusUnprocessableEntity, "",
			fmt.Sprintf("The project does not allow %s.", page.QuoteName(source)))
	}
	if err != nil {
		return err
	}
	s.frame.Audit(r, "provider.remove", project, source, "")
	page.Redirect(w, r, paths.Rules(project))
	return nil
}
