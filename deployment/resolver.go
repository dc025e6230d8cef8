package deployment

import (
	"context"
	"fmt"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/store"
)

// Store is what a Resolver reads; *store.Store has it.
type Store interface {
	Deployment(ctx context.Context, project string, id int64) (store.Deployment, error)
	Deployments(ctx context.Context, project string) ([]store.Deployment, error)
	BlueprintVersion(ctx context.Context, project, name string, version int) (store.BlueprintVersion, error)
	Environment(ctx context.Context, project, name string) (store.Environment, error)
}

// Config is what NewResolver needs. Store and Catalog are required.
type Config struct {
	Store Store
	// Rules keeps the projects' rule files; nil checks every project against
	// policy.DefaultRules.
	Rules RuleStore
	// Providers keeps the provider sources each project allows beyond the catalog's; nil
	// allows the catalog's only.
	Providers ProviderStore
	// StateURL is the base URL runs reach CloudOven's state backend at (runs.Options'
	// StateURL): terraform_remote_state may read the state of the project's deployments
	// there, and nothing else. Empty makes every terraform_remote_state a finding.
	StateURL string
	// Catalog gives the current catalog on every resolution, so a crawl that swaps it is
	// seen at once.
	Catalog func() *catalog.Catalog
	// SecretNames lists the names of an environment's secrets, never their values; nil
	// means environments have none. Validation only asks which secrets are set (a TF_VAR_
	// secret gives a variable its value), and the generator never writes one.
	SecretNames func(ctx context.Context, project, environment string) ([]string, error)
}

// Resolver resolves stored deployments: it loads a deployment's blueprint version, its
// environment, the environment's secret names and the project's Checks, then calls Resolve.
type Resolver struct {
	cfg Config
}

// NewResolver returns a Resolver over cfg.
func NewResolver(cfg Config) *Resolver {
	return &Resolver{cfg: cfg}
}

// Inputs loads what the deployment's files at version depend on; version 0 is the version
// the deployment is at. Secrets come with their names and empty values. A deployment,
// version or environment that does not exist is store.ErrNotFound; a stored document that
// does not parse is an error that names it. The project's rules fall back to the defaults
// when its rule file cannot be read (see Rules); its other checks not being readable is an
// error (see Checks).
func (r *Resolver) Inputs(ctx context.Context, project string, id int64, version int) (Inputs, error) {
	d, err := r.cfg.Store.Deployment(ctx, project, id)
	if err != nil {
		return Inputs{}, err
	}
	if version == 0 {
		version = d.BlueprintVersion
	}
	bv, err := r.cfg.Store.BlueprintVersion(ctx, project, d.Blueprint, version)
	if err != nil {
		return Inputs{}, err
	}
	bp, err := blueprint.ParseDocument(bv.Document)
	if err != nil {
		return Inputs{}, fmt.Errorf("reading version %d of %s: %w", version, d.Blueprint, err)
	}
	e, err := r.cfg.Store.Environment(ctx, project, d.Environment)
	if err != nil {
		return Inputs{}, err
	}
	env, err := ParseEnvironment(e)
	if err != nil {
		return Inputs{}, err
	}
	if r.cfg.SecretNames != nil {
		names, err := r.cfg.SecretNames(ctx, project, e.Name)
		if err != nil {
			return Inputs{}, fmt.Errorf("listing the secrets of environment %s: %w", e.Name, err)
		}
		env.Secrets = make(map[string]string, len(names))
		for _, n := range names {
			env.Secrets[n] = ""
		}
	}
	// An unreadable rule file gives the defaults, which keeps the guardrails on; the
	// rules page is where its problem is shown.
	checks, err := r.Checks(ctx, project)
	if err != nil {
		return Inputs{}, err
	}
	return Inputs{
		Blueprint:   bp,
		Name:        d.Blueprint,
		Version:     version,
		Environment: env,
		StateKey:    d.StateKey,
		Catalog:     r.cfg.Catalog(),
		Rules:       checks.Rules,
		Providers:   checks.Providers,
		OwnStates:   checks.OwnStates,
	}, nil
}

// Resolve is Inputs, then Resolve: the deployment's files at version (0: its own) and their
// checks. Errors are Inputs' and Resolve's; with Resolve's, the Resolution is filled but for
// its files.
func (r *Resolver) Resolve(ctx context.Context, project string, id int64, version int) (Resolution, error) {
	in, err := r.Inputs(ctx, project, id, version)
	if err != nil {
		return Resolution{}, err
	}
	return Resolve(in)
}

// Guardrails is the verdict on the deployment at its version, without generating anything:
// what the run service asks before it queues a plan or a destroy.
func (r *Resolver) Guardrails(ctx context.Context, project string, id int64) (Verdict, error) {
	in, err := r.Inputs(ctx, project, id, 0)
	if err != nil {
		return Verdict{}, err
	}
	return check(in), nil
}

// StateKeeping says who keeps the state of the deployment's runs, from its environment as it
// is now: what the run service asks before it queues a run.
func (r *Resolver) StateKeeping(ctx context.Context, project string, id int64) (StateKeeping, error) {
	d, err := r.cfg.Store.Deployment(ctx, project, id)
	if err != nil {
		return StateKeeping{}, err
	}
	e, err := r.cfg.Store.Environment(ctx, project, d.Environment)
	if err != nil {
		return StateKeeping{}, err
	}
	env, err := ParseEnvironment(e)
	if err != nil {
		return StateKeeping{}, err
	}
	return StateKeepingOf(env), nil
}
