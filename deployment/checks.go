package deployment

import (
	"context"
	"fmt"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

// ProviderStore keeps the provider sources each project allows beyond the catalog's;
// *store.Store has it.
type ProviderStore interface {
	ProjectProviders(ctx context.Context, project string) ([]store.ProjectProvider, error)
}

// Checks are what a project's blueprints are checked with, besides the catalog and an
// environment: its guardrail rules, the provider sources it allows, and the state
// addresses of its deployments. The editor, the import and every deployment of the project
// use the same ones.
type Checks struct {
	Rules policy.Rules
	// RulesErr says why the project's rule file could not be used; Rules are then the
	// defaults (see Rules).
	RulesErr error
	// Providers are the provider sources the project allows beyond the catalog's.
	Providers []string
	// OwnStates are the addresses of the project's deployments' state at CloudOven
	// (state.Address with the Config's StateURL); none when the state URL is not known.
	OwnStates []string
}

// Check checks b against the project: an error on each provider source the project does
// not allow, and the guardrail findings, with registries as an environment's allowed
// registries (none turns that rule off).
func (c Checks) Check(b *blueprint.Blueprint, cat *catalog.Catalog, registries []string) (blueprint.Diagnostics, []policy.Finding) {
	diags := policy.CheckProviders(b, cat, c.Providers)
	findings := policy.Check(b, c.Rules, policy.Options{AllowedRegistries: registries, Catalog: cat, OwnStates: c.OwnStates})
	return diags, findings
}

// Checks loads the project's checks. A rule file that cannot be used gives the defaults
// and RulesErr; the provider sources and the deployments not being readable is the error,
// since leaving them out would make the checks stricter without saying why.
func (r *Resolver) Checks(ctx context.Context, project string) (Checks, error) {
	var c Checks
	c.Rules, _, c.RulesErr = Rules(ctx, r.cfg.Rules, project)
	if r.cfg.Providers != nil {
		ps, err := r.cfg.Providers.ProjectProviders(ctx, project)
		if err != nil {
			return Checks{}, err
		}
		for _, p := range ps {
			c.Providers = append(c.Providers, p.Source)
		}
	}
	if r.cfg.StateURL != "" {
		ds, err := r.cfg.Store.Deployments(ctx, project)
		if err != nil {
			return Checks{}, fmt.Errorf("listing the deployments of project %q: %w", project, err)
		}
		for _, d := range ds {
			c.OwnStates = append(c.OwnStates, state.Address(r.cfg.StateURL, project, d.ID))
		}
	}
	return c, nil
}

// StateAddress is where the deployment's state is at CloudOven, as terraform_remote_state
// of another deployment of the project reads it; "" when the state URL is not known.
func (r *Resolver) StateAddress(project string, id int64) string {
	if r.cfg.StateURL == "" {
		return ""
	}
	return state.Address(r.cfg.StateURL, project, id)
}
