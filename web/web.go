package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/web/account"
	"github.com/cloudoven/cloudoven/web/blueprints"
	"github.com/cloudoven/cloudoven/web/catalogview"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/deployments"
	"github.com/cloudoven/cloudoven/web/editor"
	"github.com/cloudoven/cloudoven/web/environments"
	"github.com/cloudoven/cloudoven/web/guardrails"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/projects"
	"github.com/cloudoven/cloudoven/web/providersview"
	"github.com/cloudoven/cloudoven/web/runview"
)

// Store is everything the web interface keeps in the store: what each feature package
// declares it needs, and what the deployment resolver reads. *store.Store implements it;
// tests may fake it.
type Store interface {
	page.Store
	account.Store
	projects.Store
	blueprints.Store
	editor.Store
	guardrails.Store
	environments.Store
	deployments.Store
	runview.Store
	providersview.Store
	deployment.Store
	// Ping answers a trivial query: the readiness check (/readyz) asks it.
	Ping(ctx context.Context) error
}

// CatalogSource gives the current catalog; *catalog.Live implements it, so a crawl can swap
// the catalog while the server runs.
type CatalogSource interface {
	Catalog() *catalog.Catalog
}

// Config is what New needs. Store and a catalog (Catalog or CatalogSource) are required.
type Config struct {
	Store   Store
	Catalog *catalog.Catalog
	// CatalogSource, when set, is asked for the catalog on every request instead of Catalog.
	CatalogSource CatalogSource
	// Crawls, when set, adds the crawl status page and its "crawl now" button.
	Crawls catalogview.Crawls
	// Secrets keeps environments' secrets; nil shows that secrets are not configured.
	Secrets environments.Secrets
	// Runs plans and applies deployments, and RunLogs streams their logs; with either nil
	// the deployment page says runs are not configured.
	Runs    *runs.Service
	RunLogs *runs.Hub
	// ProviderCheck runs the real providers' check of a draft (package providercheck); nil
	// makes the editor's "Check with providers" say it is not configured.
	ProviderCheck editor.ProviderChecker
	// RunnerLabel names what runs terraform, shown beside the Plan button and on every run
	// page, e.g. "Docker (isolated)". A label that says "NOT isolated" is shown as a warning.
	RunnerLabel string
	// StateURL is the base URL runs reach CloudOven's state backend at, the run service's:
	// a blueprint's terraform_remote_state may read the state of its project's deployments
	// there (deployment.Config.StateURL), and each deployment page shows its address. Empty
	// makes every terraform_remote_state a guardrail finding.
	StateURL string
	// StateBlobs, when set, is where CloudOven's state backend keeps state (the run
	// service's): the state version pages read outputs, resources and diffs from it. Nil:
	// they show what the store recorded of each version and say the state is not readable.
	StateBlobs state.BlobStore
	// ProviderCache, when set, is the server's provider cache: the providers page lists its
	// packages and removes them. Nil: the page says provider management is not configured.
	ProviderCache providersview.Cache
	// LockUpgrader, when set, makes the candidate lock file of a deployment's "Upgrade
	// providers". Nil: the deployment page shows its lock file and says provider management
	// is not configured.
	LockUpgrader deployments.LockUpgrader
	// SecureCookies marks the session cookie Secure even when the request did not come over
	// TLS (a TLS-terminating proxy in front).
	SecureCookies bool
	// ShuttingDown, when set, is closed as the server begins to shut down: from then on the
	// readiness check (/readyz) answers 503, so a load balancer stops sending requests while
	// the ones in flight finish.
	ShuttingDown <-chan struct{}
	// Now is the clock of sessions and the sign-in limiter; nil means time.Now.
	Now func() time.Time
	// PasswordParams are argon2id's costs for new password hashes; zero means
	// auth.DefaultParams. Tests make them cheap.
	PasswordParams auth.Params
	// Logger receives request errors; nil means slog.Default().
	Logger *slog.Logger
	// Dev serves static files from StaticDir on disk, uncached, so edits show on reload.
	Dev       bool
	StaticDir string
}

// server holds what composing the features needs.
type server struct {
	store    Store
	catalogs CatalogSource
	crawls   catalogview.Crawls
	secrets  environments.Secrets
	runs     *runs.Service // nil when runs are not configured
	runLogs  *runs.Hub
	runner   components.RunnerLabel // empty when runs are not configured
	cache    providersview.Cache    // nil when provider management is not configured
	upgrader deployments.LockUpgrader
	stateURL string
	states   deployments.StateReader // nil when StateBlobs is
	checker  editor.ProviderChecker
	// shuttingDown is closed when the server begins to shut down; nil: never.
	shuttingDown <-chan struct{}
	logger       *slog.Logger
	assets       *assets
	frame        *page.Frame
	account      *account.Handlers

	now func() time.Time
}

// catalog is the catalog for this request.
func (s *server) catalog() *catalog.Catalog { return s.catalogs.Catalog() }

type staticCatalog struct{ c *catalog.Catalog }

func (s staticCatalog) Catalog() *catalog.Catalog { return s.c }

// New builds the web interface: every route of routes.go behind the security headers and
// Go's cross-origin protection, which refuses state-changing requests from other sites.
func New(cfg Config) (http.Handler, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.routes(), nil
}

// newServer checks cfg and builds what composing the features needs.
func newServer(cfg Config) (*server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: no store configured")
	}
	catalogs := cfg.CatalogSource
	if catalogs == nil && cfg.Catalog != nil {
		catalogs = staticCatalog{cfg.Catalog}
	}
	if catalogs == nil || catalogs.Catalog() == nil {
		return nil, errors.New("web: no catalog configured")
	}
	if cfg.Dev && cfg.StaticDir == "" {
		return nil, errors.New("web: dev mode needs the static directory")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	a, err := newAssets(cfg.Dev, cfg.StaticDir)
	if err != nil {
		return nil, err
	}
	if !a.has(page.HTMXFile) {
		// The page still works as plain HTML forms; say what to run rather than fail.
		logger.Warn("htmx is missing from the static files: run make assets", "file", page.HTMXFile)
	}
	s := &server{
		store:        cfg.Store,
		catalogs:     catalogs,
		crawls:       cfg.Crawls,
		secrets:      cfg.Secrets,
		stateURL:     cfg.StateURL,
		cache:        cfg.ProviderCache,
		upgrader:     cfg.LockUpgrader,
		checker:      cfg.ProviderCheck,
		logger:       logger,
		shuttingDown: cfg.ShuttingDown,
		assets:       a,
	}
	if cfg.StateBlobs != nil {
		s.states = state.NewReader(cfg.StateBlobs)
	}
	if cfg.Runs != nil && cfg.RunLogs != nil {
		s.runs, s.runLogs = cfg.Runs, cfg.RunLogs
		s.runner = components.NewRunnerLabel(cfg.RunnerLabel)
	}
	s.now = cfg.Now
	if s.now == nil {
		s.now = time.Now
	}
	s.frame = page.NewFrame(cfg.Store, a, logger, s.now)
	s.account = account.New(s.frame, cfg.Store, account.Options{SecureCookies: cfg.SecureCookies, PasswordParams: cfg.PasswordParams})
	return s, nil
}
