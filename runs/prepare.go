package runs

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

// SecretValues reads an environment's secrets; *secrets.Vault implements it.
type SecretValues interface {
	Values(ctx context.Context, project, environment string) (map[string]string, error)
}

// NewPreparer is the PrepareFunc CloudOven runs with: the deployment resolved by package
// deployment (its blueprint version and environment validated together against the current
// catalog, generated into the files a run uses, the same files the deployment page shows,
// and checked against the project's guardrails and allowed providers), and the
// environment's secrets as environment variables, which no file ever holds. A deployment
// with validation errors (a provider the project does not allow among them) is refused
// before anything starts, with the first errors in the message; the guardrails' verdict goes
// into Prepared.Verdict, which the Service refuses a run with, and who keeps the state into
// Prepared.State, which it refuses a plan or destroy with when nothing would. secrets may be
// nil: runs then get no secret variables. Without PreparerOptions.StateURL, as here, every
// terraform_remote_state is a finding that refuses the run: NewPreparerWith takes it.
//
// The environment's runner settings choose the run's container: its image, when it names one,
// its network mode, when it is not blueprint.DefaultNetworkMode (see networkMode), and its
// egress (see egressOf); the rest is left to the Service's Options.
//
// An azurerm environment that sets CreateStateContainer gets its state container created
// (when missing) before the preparer returns, since the azurerm backend's init refuses a
// container that does not exist.
func NewPreparer(st *store.Store, catalog func() *catalog.Catalog, secrets SecretValues) PrepareFunc {
	return NewPreparerWith(st, catalog, secrets, PreparerOptions{})
}

// PreparerOptions change where NewPreparerWith reaches outside services; the zero value is
// what NewPreparer uses.
type PreparerOptions struct {
	// AzureBlobURL returns the blob service URL of a storage account; nil means
	// https://<account>.blob.core.windows.net/. Tests point it at Azurite.
	AzureBlobURL func(account string) string
	// StateURL is the Service's Options.StateURL: terraform_remote_state may read the
	// state of the project's deployments there (deployment.Config.StateURL). Empty makes
	// every terraform_remote_state a finding that refuses the run.
	StateURL string
}

func (o PreparerOptions) azureBlobURL(account string) string {
	if o.AzureBlobURL != nil {
		return o.AzureBlobURL(account)
	}
	return "https://" + account + ".blob.core.windows.net/"
}

// NewPreparerWith is NewPreparer with options.
func NewPreparerWith(st *store.Store, catalog func() *catalog.Catalog, secrets SecretValues, opts PreparerOptions) PrepareFunc {
	// No secret names: the preparer reads the values, and validation sees those.
	resolver := deployment.NewResolver(deployment.Config{Store: st, Rules: st, Providers: st, Catalog: catalog, StateURL: opts.StateURL})
	return func(ctx context.Context, project string, deploymentID int64) (Prepared, error) {
		in, err := resolver.Inputs(ctx, project, deploymentID, 0)
		if err != nil {
			return Prepared{}, err
		}
		env := in.Environment
		values := map[string]string{}
		if secrets != nil {
			if values, err = secrets.Values(ctx, project, env.Name); err != nil {
				return Prepared{}, err
			}
		}
		env.Secrets = values

		res, err := deployment.Resolve(in)
		if errs := res.Diagnostics.Errors(); len(errs) > 0 {
			return Prepared{}, fmt.Errorf("%s v%d with environment %s has %d %s; fix them before a run: %s",
				in.Name, in.Version, env.Name, len(errs), plural(len(errs), "error", "errors"), firstErrors(errs, 3))
		}
		if err != nil {
			return Prepared{}, err
		}
		if env.Runner.CreateStateContainer && env.Backend.Type == "azurerm" {
			if err := ensureStateContainer(ctx, env, values, opts); err != nil {
				return Prepared{}, fmt.Errorf("preparing the state backend of environment %s: %w", env.Name, err)
			}
		}
		out := make(map[string][]byte, len(res.Files))
		for _, f := range res.Files {
			out[f.Name] = f.Content
		}
		secretList := make([]string, 0, len(values))
		for _, v := range values {
			secretList = append(secretList, v)
		}
		sort.Strings(secretList)
		p := Prepared{Files: out, Env: values, Secrets: secretList, Verdict: res.Verdict, State: res.State, Image: env.Runner.Image,
			Blueprint: in.Blueprint, Generated: res.Files}
		p.NetworkMode, p.Egress = egressOf(env.Runner)
		return p, nil
	}
}

// ensureStateContainer creates the azurerm backend's container with the ARM_ACCESS_KEY
// secret. Validation has already checked the settings are strings and the secret is set.
// Errors name the account and the container, never the key.
func ensureStateContainer(ctx context.Context, env *blueprint.Environment, secrets map[string]string, opts PreparerOptions) error {
	account, _ := env.Backend.Config["storage_account_name"].(string)
	container, _ := env.Backend.Config["container_name"].(string)
	cred, err := state.SharedKey(account, secrets[blueprint.StateContainerSecret])
	if err != nil {
		return fmt.Errorf("container %q of storage account %q: the secret %s is not a storage account key: %w",
			container, account, blueprint.StateContainerSecret, err)
	}
	if err := state.EnsureContainer(ctx, opts.azureBlobURL(account), container, cred); err != nil {
		return fmt.Errorf("storage account %q: %w", account, err)
	}
	return nil
}

// networkMode is the network mode an environment's runs override the
// service's with: only one other than blueprint.DefaultNetworkMode. An
// environment document always carries a network mode (a missing one reads,
// and is saved, as the default), so the default cannot tell "chosen" from
// "left alone"; taking it as "left alone" keeps Options.NetworkMode (host,
// say, for a state backend on loopback) for every environment that does
// not ask for host or none.
func networkMode(r blueprint.RunnerSettings) string {
	if r.NetworkMode == blueprint.DefaultNetworkMode {
		return ""
	}
	return r.NetworkMode
}

// egressOf is the network mode and the egress control of an environment's runs. Egress open
// leaves the network mode (networkMode) in charge. Egress none and allow-list give the run an
// egress proxy that lets through nothing, or the listed hosts, besides CloudOven's state
// backend; network mode none still wins over them, being stricter yet (no network at all,
// not even the state backend). Validation refuses host with them.
func egressOf(r blueprint.RunnerSettings) (string, *runner.Egress) {
	if r.Egress == blueprint.EgressOpen || r.NetworkMode == "none" {
		return networkMode(r), nil
	}
	e := &runner.Egress{}
	if r.Egress == blueprint.EgressAllowList {
		e.Allow = slices.Clone(r.EgressHosts)
	}
	return "", e
}

func firstErrors(ds blueprint.Diagnostics, n int) string {
	var parts []string
	for i, d := range ds {
		if i == n {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, d.Path+": "+d.Summary)
	}
	return strings.Join(parts, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
