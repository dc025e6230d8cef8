package deployment

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
)

// Keeper is who keeps the Terraform state that a deployment's runs write.
type Keeper string

// The keepers of a deployment's state, by its environment's backend.
const (
	// KeptByCloudOven is the http backend without an address: runs get CloudOven's own state
	// endpoint for their deployment, which keeps every state written as a numbered version.
	KeptByCloudOven Keeper = "cloudoven"
	// KeptByBackend is a remote backend outside CloudOven (azurerm, s3, gcs, or an http
	// backend with its own address): it keeps the state, and CloudOven keeps no copy.
	KeptByBackend Keeper = "backend"
	// KeptNowhere is a local backend, or none: terraform writes the state into the run's
	// workspace, which every runner removes when the run ends, so an apply's state would be
	// gone and the next plan would create everything again. A local backend whose path
	// leads out of the workspace is no better: a Docker run can write nothing else (its root
	// is read-only, its /tmp a tmpfs), and only the development runner could reach it.
	KeptNowhere Keeper = "nowhere"
)

// StateKeeping says who keeps the state of the deployments of an environment.
type StateKeeping struct {
	Environment string
	// Backend is the environment's backend type; "" is none.
	Backend string
	Keeper  Keeper
	// Where names the place a KeptByBackend backend keeps the state, from its settings
	// ("storage account sttfstate, container tfstate", "bucket b", "https://state.example.com");
	// empty when the settings do not say.
	Where string
}

// StateKeepingOf says who keeps the state of env's deployments. A nil environment (the CLI
// without one) is the zero StateKeeping, which refuses nothing.
//
// The decision: a run whose state would be kept nowhere is refused (Err), rather than
// CloudOven copying terraform.tfstate out of the workspace into a state version. CloudOven's
// own backend already keeps every state a run writes, with locking, and writes it while
// terraform runs; a copy taken after the run would be a second, weaker store: nothing is
// copied out of a run that is canceled, times out or is killed mid-apply, nothing locks it,
// and a local backend's path can point anywhere. New environments get CloudOven's backend
// (blueprint.DefaultBackend), and a local backend stays useful for the downloaded files.
func StateKeepingOf(env *blueprint.Environment) StateKeeping {
	if env == nil {
		return StateKeeping{}
	}
	k := StateKeeping{Environment: env.Name, Backend: env.Backend.Type}
	setting := func(name string) string {
		s, _ := env.Backend.Config[name].(string)
		return s
	}
	switch env.Backend.Type {
	case "", "local":
		k.Keeper = KeptNowhere
	case "http":
		address := setting("address")
		if address == "" {
			k.Keeper = KeptByCloudOven
			break
		}
		k.Keeper, k.Where = KeptByBackend, origin(address)
	case "azurerm":
		k.Keeper = KeptByBackend
		var parts []string
		if a := setting("storage_account_name"); a != "" {
			parts = append(parts, "storage account "+a)
		}
		if c := setting("container_name"); c != "" {
			parts = append(parts, "container "+c)
		}
		k.Where = strings.Join(parts, ", ")
	case "s3", "gcs":
		k.Keeper = KeptByBackend
		if b := setting("bucket"); b != "" {
			k.Where = "bucket " + b
		}
	default:
		// A type CloudOven does not generate: validation refuses it before any run.
		k.Keeper = KeptByBackend
	}
	return k
}

// origin is an address's scheme and host, which is all a page needs to say where the state
// is: a query string or user information may carry what should not be shown.
func origin(address string) string {
	u, err := url.Parse(address)
	if err != nil || u.Host == "" {
		return "another http server"
	}
	return u.Scheme + "://" + u.Host
}

// Err returns a *StateLossError when nothing would keep the state of a run, and nil
// otherwise. It is the one place that rule is written: whoever is about to run the
// deployment (a plan or a destroy, each of which ends in an apply) asks it.
func (k StateKeeping) Err() error {
	if k.Keeper != KeptNowhere {
		return nil
	}
	return &StateLossError{Environment: k.Environment, Backend: k.Backend}
}

// StateLossError refuses a run whose state would be thrown away with the run's workspace.
// Callers recognise it with errors.As.
type StateLossError struct {
	Environment string
	// Backend is "local", or "" for no backend.
	Backend string
}

// Error says why the run is refused and what to do about it.
func (e *StateLossError) Error() string {
	has := "has no backend"
	if e.Backend != "" {
		has = fmt.Sprintf("has a %s backend", e.Backend)
	}
	return fmt.Sprintf("environment %s %s: terraform would write the state into the run's workspace, which is removed when the run ends, "+
		"so what an apply creates would be forgotten and the next plan would create it again; "+
		"choose CloudOven's backend (http, without an address) or a remote backend for the environment", e.Environment, has)
}
