package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
	"github.com/docker/docker/client"
)

// runFlags configure plans and applies and CloudOven's state backend.
type runFlags struct {
	stateURL      *string
	stateDir      *string
	blobURL       *string
	blobContainer *string
	blobAccount   *string
	blobKey       *string
	runner        *string
	image         *string
	concurrency   *int
	replica       *string
	lease         *time.Duration
	egressImage   *string
	egressNetwork *string
	providerCache *string
	providerMirr  *string
	kube          kubeFlags
}

func addRunFlags(fs *flag.FlagSet) runFlags {
	return runFlags{
		stateURL:      fs.String("state-url", "", "base URL run containers reach CloudOven's state backend at (default: the listen address; when that is a loopback address and the Docker daemon is on this host, a second listener on -runner-egress-network's gateway that serves only the state backend)"),
		stateDir:      fs.String("state-dir", "", "directory for state blobs (default: <data-dir>/state); unused with -state-blob-url"),
		blobURL:       fs.String("state-blob-url", "", "Azure Blob Storage service URL for state blobs, saved plans and finished runs' logs, e.g. https://account.blob.core.windows.net/ (default: state in the state directory, plans and logs in the database)"),
		blobContainer: fs.String("state-blob-container", "cloudoven-state", "container for state blobs, saved plans and run logs; created on start when missing"),
		blobAccount:   fs.String("state-blob-account", "", "storage account name for -state-blob-url"),
		blobKey:       fs.String("state-blob-key", "", "storage account key for -state-blob-url (prefer CLOUDOVEN_STATE_BLOB_KEY_FILE)"),
		runner:        fs.String("runner", "docker", "how plans and applies run: docker, kubernetes (Jobs in -runner-kube-namespace), local (terraform on this host, NOT isolated and egress not enforced: development only), or none to disable runs"),
		image:         fs.String("runner-image", runner.DefaultImage, "default image for runs (make runner-image builds it)"),
		concurrency:   fs.Int("run-concurrency", 2, "plans and applies this server executes at once across all deployments (each server on a shared database its own)"),
		replica:       fs.String("replica", "", "this server's name among the servers sharing a PostgreSQL database, unique among live ones: the runs it executes carry it (default: the host name and a random suffix)"),
		lease:         fs.Duration("run-lease", runs.DefaultLease, "how long a claim on a run lasts unless renewed; a server that stops renewing (it died) has its runs marked interrupted by another after about this long"),
		egressImage:   fs.String("runner-egress-image", runner.DefaultEgressImage, "image of the egress proxy that holds runs to their environment's egress (make egress-image builds it)"),
		egressNetwork: fs.String("runner-egress-network", "bridge", "Docker network the egress proxy reaches the allowed hosts and -state-url on"),
		providerCache: fs.String("provider-cache", "", "directory of the provider cache every run and the editor's provider check install from (default: <data-dir>/providers)"),
		kube:          addKubeFlags(fs),
		providerMirr:  fs.String("provider-mirror", "", "operator's provider mirror directory (terraform's filesystem mirror layouts) the cache installs from, never from a registry: for air-gapped installs (default: the crawl's -mirror-dir when set, else the registries)"),
	}
}

// blobs is where state versions are kept.
func (f runFlags) blobs(ctx context.Context, dataDir string) (state.BlobStore, error) {
	if *f.blobURL == "" {
		dir := *f.stateDir
		if dir == "" {
			dir = filepath.Join(dataDir, "state")
		}
		return state.NewDirStore(dir), nil
	}
	if *f.blobAccount == "" || *f.blobKey == "" {
		return nil, fmt.Errorf("-state-blob-url needs -state-blob-account and -state-blob-key")
	}
	cred, err := state.SharedKey(*f.blobAccount, *f.blobKey)
	if err != nil {
		return nil, err
	}
	if err := state.EnsureContainer(ctx, *f.blobURL, *f.blobContainer, cred); err != nil {
		return nil, fmt.Errorf("preparing the state container: %w", err)
	}
	return state.NewAzureStore(*f.blobURL, *f.blobContainer, cred)
}

// runService is the state backend and the run service, wired to the store.
type runService struct {
	state http.Handler
	// blobs keep the state versions the backend writes; the state version pages read them.
	blobs state.BlobStore
	runs  *runs.Service // nil with -runner none
	hub   *runs.Hub
	label string // how the UI names the runner; empty with -runner none
	// stateURL is where runs reach the state backend; empty with -runner none, when
	// nothing runs and no remote state can be read.
	stateURL string
	// providers is the provider cache as the runs, the editor's check, the upgrades and
	// the providers page use it.
	providers *providers.Server
	// stateListener, when set, is where runs reach the state backend (and nothing else) on
	// the Docker bridge's gateway, since the server listens on loopback (bridgeStateListener).
	stateListener net.Listener
}

// How the UI names each runner; the local one must read as a warning.
const (
	runnerLabelDocker = "Docker (isolated)"
	runnerLabelLocal  = "local terraform on the server: NOT isolated, egress not enforced, development only"
)

// start wires the state backend and the run service. box seals saved plans, which hold
// the environment's secrets; with -runner none no run service starts, so the plans an
// older build stored in the clear are sealed here.
//
// terraform is the host's terraform the provider cache installs with (empty: installs from the
// registries fail saying so); crawlMirror the crawl's -mirror-dir, the cache's source when
// -provider-mirror is not set.
func (f runFlags) start(ctx context.Context, st *store.Store, catalog func() *catalog.Catalog, vault *secrets.Vault, box *secrets.Box, dataDir, dbPath, listenURL, terraform, crawlMirror string, logger *slog.Logger) (*runService, error) {
	blobs, err := f.blobs(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	if *f.blobURL != "" {
		// Saved plans (sealed) and finished runs' logs go to the same container, under
		// runs/, beside the state versions under deployments/.
		st.SetArchive(blobs)
	}
	if store.IsPostgresURL(dbPath) && *f.blobURL == "" {
		logger.Warn("state versions are kept in a directory of this server: every server sharing the database must see the same one (-state-dir on a shared filesystem), or use -state-blob-url",
			"state_dir", cmp.Or(*f.stateDir, filepath.Join(dataDir, "state")))
	}
	// Credentials live in the store, so that a replica answers the terraform of a run that
	// another replica executes.
	authz := state.NewStoreAuthorizer(st, 0)
	rs := &runService{state: state.NewServer(st, blobs, authz, logger), blobs: blobs}
	cacheDir := *f.providerCache
	if cacheDir == "" {
		cacheDir = filepath.Join(dataDir, "providers")
	}
	cache, err := providers.Open(cacheDir, providers.Options{Terraform: terraform, Mirror: cmp.Or(*f.providerMirr, crawlMirror), Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("opening the provider cache: %w", err)
	}
	rs.providers = &providers.Server{Cache: cache}
	var exec runner.Executor
	switch *f.runner {
	case "none":
		n, err := runs.SealSavedPlans(ctx, st, box)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			logger.Info("sealed saved plans stored in the clear", "plans", n)
		}
		return rs, nil
	case "docker":
		// The instance label keeps two servers on one daemon (or a server and its tests) from
		// removing each other's containers as orphans.
		d, err := runner.NewDocker(runner.DockerOptions{Logger: logger, Instance: instanceOf(dbPath),
			EgressImage: *f.egressImage, EgressNetwork: *f.egressNetwork})
		if err != nil {
			return nil, err
		}
		if err := d.Ping(ctx); err != nil {
			// Runs fail with this message until a daemon answers; the rest of CloudOven works.
			logger.Warn("no Docker daemon: plans and applies will fail until one answers", "err", err)
		}
		// Runs read the cache's packages from Docker volumes the server fills, one per
		// package, mounted read-only: a remote daemon works like a local one.
		cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
		if err != nil {
			return nil, fmt.Errorf("configuring the docker client: %w", err)
		}
		rs.providers.Volumes = providers.NewVolumes(cli, cmp.Or(*f.image, runner.DefaultImage), instanceOf(dbPath), cache)
		rs.providers.Platform = d.Platform
		exec, rs.label = d, runnerLabelDocker
		if *f.stateURL == "" && loopback(listenURL) {
			// Containers do not reach this host's loopback: runs get the state backend on
			// the egress network's gateway instead, so the default settings work.
			ln, err := bridgeStateListener(ctx, cli, *f.egressNetwork)
			if err != nil {
				logger.Warn("runs reach the state backend at the listen address, which containers on a bridge network do not reach: set -state-url", "err", err)
			} else {
				rs.stateListener = ln
			}
		}
	case "kubernetes":
		// Runs read the cache's packages read-only from -runner-kube-provider-claim, or from
		// the node's file system (hostPath): then the cache directory must be at the same
		// path on the nodes that run jobs.
		k, err := f.kube.executor(ctx, instanceOf(dbPath), cacheDir, logger)
		if err != nil {
			return nil, err
		}
		exec, rs.label = k, runnerLabelKubernetes
	case "local":
		logger.Warn("runs are NOT isolated and egress is not enforced: development only", "runner", "local")
		exec, rs.label = runner.NewLocal(runner.LocalOptions{Logger: logger}), runnerLabelLocal
	default:
		return nil, fmt.Errorf("-runner %q: use docker, kubernetes, local (development only) or none", *f.runner)
	}
	stateURL := *f.stateURL
	switch {
	case stateURL != "":
	case rs.stateListener != nil:
		stateURL = "http://" + rs.stateListener.Addr().String()
		logger.Info("runs reach the state backend on the Docker network's gateway", "state_url", stateURL, "network", *f.egressNetwork)
	default:
		stateURL = listenURL
	}
	if *f.runner == "kubernetes" && loopback(stateURL) {
		logger.Warn("pods do not reach a loopback address: set -state-url to an address the cluster's pods reach", "state_url", stateURL)
	}
	if *f.runner == "docker" && loopback(stateURL) {
		logger.Warn("runs whose environment controls egress reach the state backend through a proxy on -runner-egress-network, which cannot reach a loopback address: set -state-url to an address containers reach",
			"state_url", stateURL)
	}
	rs.hub = runs.NewHub(st, logger)
	rs.stateURL = stateURL
	// Plan refuses what the guardrails block, and runs whose state nothing would keep,
	// before anything is queued, whoever calls it; the preparer asks again when the stage
	// starts, with the same state URL.
	guardrails := deployment.NewResolver(deployment.Config{Store: st, Rules: st, Providers: st, Catalog: catalog, StateURL: stateURL})
	rs.runs = runs.New(runs.Options{
		Store:             st,
		Executor:          exec,
		Hub:               rs.hub,
		Prepare:           runs.NewPreparerWith(st, catalog, vault, runs.PreparerOptions{StateURL: stateURL}),
		Sealer:            box,
		Guardrails:        guardrails,
		State:             guardrails,
		GlobalConcurrency: *f.concurrency,
		Replica:           *f.replica,
		Lease:             *f.lease,
		Exclusive:         !store.IsPostgresURL(dbPath),
		Image:             *f.image,
		Authorizer:        authz,
		StateURL:          stateURL,
		Locks:             st,
		Providers:         rs.providers,
		Logger:            logger,
	})
	if err := rs.runs.Start(ctx); err != nil {
		return nil, err
	}
	return rs, nil
}

// withState serves the state backend beside the web app: Terraform authenticates with the
// run's own credentials (Basic auth), so these requests skip the web sign-in and CSRF check.
func withState(web, stateHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(state.PathPrefix, stateHandler)
	mux.Handle("/", web)
	return mux
}

// loopback says whether a URL's host is a loopback address or localhost, which a container
// on a bridge network does not reach.
func loopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
