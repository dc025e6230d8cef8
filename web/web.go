package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/account"
	"github.com/cloudoven/cloudoven/web/catalogview"
	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/environments"
	"github.com/cloudoven/cloudoven/web/page"
)

// Store is the part of package store the web interface calls. *store.Store implements it;
// tests may fake it.
type Store interface {
	ProjectPolicy(ctx context.Context, project string) ([]byte, error)
	SetProjectPolicy(ctx context.Context, project string, document []byte) error
	CreateProject(ctx context.Context, name, description string) (store.Project, error)
	Projects(ctx context.Context) ([]store.Project, error)
	Project(ctx context.Context, name string) (store.Project, error)

	CreateBlueprint(ctx context.Context, project, name, description string, document []byte, message string) (store.Blueprint, store.BlueprintVersion, error)
	AddBlueprintVersion(ctx context.Context, project, blueprint string, document []byte, message string) (store.BlueprintVersion, error)
	Blueprints(ctx context.Context, project string) ([]store.Blueprint, error)
	Blueprint(ctx context.Context, project, name string) (store.Blueprint, error)
	BlueprintVersions(ctx context.Context, project, name string) ([]store.BlueprintVersion, error)
	BlueprintVersion(ctx context.Context, project, name string, version int) (store.BlueprintVersion, error)

	Draft(ctx context.Context, project, blueprint string) (store.Draft, error)
	SaveDraft(ctx context.Context, project, blueprint string, baseVersion int, document []byte) (store.Draft, error)
	DiscardDraft(ctx context.Context, project, blueprint string) error
	CommitDraft(ctx context.Context, project, blueprint, message string) (store.BlueprintVersion, error)

	CreateEnvironment(ctx context.Context, project, name string, document []byte) (store.Environment, error)
	UpdateEnvironment(ctx context.Context, project, name string, document []byte) (store.Environment, error)
	Environments(ctx context.Context, project string) ([]store.Environment, error)
	Environment(ctx context.Context, project, name string) (store.Environment, error)

	CreateDeployment(ctx context.Context, project, blueprint string, version int, environment, stateKey string) (store.Deployment, error)
	Deployments(ctx context.Context, project string) ([]store.Deployment, error)
	Deployment(ctx context.Context, project string, id int64) (store.Deployment, error)
	UpdateDeploymentVersion(ctx context.Context, project string, id int64, version int) (store.Deployment, error)

	Run(ctx context.Context, id string) (store.Run, error)
	DeploymentRuns(ctx context.Context, deploymentID int64, limit int) ([]store.Run, error)
	RunLog(ctx context.Context, runID string, afterSeq, limit int) ([]store.RunLogLine, error)
	StateVersions(ctx context.Context, deploymentID int64, limit int) ([]store.StateVersion, error)

	CreateProjectAs(ctx context.Context, owner, name, description string) (store.Project, error)
	ProjectsOf(ctx context.Context, user string) ([]store.Project, error)
	CreateUser(ctx context.Context, name, passwordHash string, admin bool) (store.User, error)
	User(ctx context.Context, name string) (store.User, error)
	Users(ctx context.Context) ([]store.User, error)
	SetPassword(ctx context.Context, name, passwordHash string) error
	CreateSession(ctx context.Context, tokenHash string, userID int64, now, expiresAt time.Time) error
	Session(ctx context.Context, tokenHash string) (store.Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteUserSessions(ctx context.Context, userID int64, keep string) error
	SetMember(ctx context.Context, project, user, role string) error
	RemoveMember(ctx context.Context, project, user string) error
	Members(ctx context.Context, project string) ([]store.Member, error)
	MemberRole(ctx context.Context, project, user string) (string, error)
	RecordAudit(ctx context.Context, e store.AuditEntry) error
	AuditLog(ctx context.Context, project string, limit int) ([]store.AuditEntry, error)
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
	// RunnerLabel names what runs terraform, shown beside the Plan button and on every run
	// page, e.g. "Docker (isolated)". A label that says "NOT isolated" is shown as a warning.
	RunnerLabel string
	// SecureCookies marks the session cookie Secure even when the request did not come over
	// TLS (a TLS-terminating proxy in front).
	SecureCookies bool
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

// server holds the handlers' dependencies.
type server struct {
	store    Store
	catalogs CatalogSource
	crawls   catalogview.Crawls
	secrets  environments.Secrets
	runs     *runs.Service // nil when runs are not configured
	runLogs  *runs.Hub
	runner   components.RunnerLabel // empty when runs are not configured
	logger   *slog.Logger
	assets   *assets
	frame    *page.Frame
	account  *account.Handlers

	now func() time.Time
}

// catalog is the catalog for this request.
func (s *server) catalog() *catalog.Catalog { return s.catalogs.Catalog() }

type staticCatalog struct{ c *catalog.Catalog }

func (s staticCatalog) Catalog() *catalog.Catalog { return s.c }

// New builds the web interface: every route of routes.go behind the security headers and
// Go's cross-origin protection, which refuses state-changing requests from other sites.
func New(cfg Config) (http.Handler, error) {
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
	if !a.has(htmxFile) {
		// The page still works as plain HTML forms; say what to run rather than fail.
		logger.Warn("htmx is missing from the static files: run make assets", "file", htmxFile)
	}
	s := &server{
		store:    cfg.Store,
		catalogs: catalogs,
		crawls:   cfg.Crawls,
		secrets:  cfg.Secrets,
		logger:   logger,
		assets:   a,
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
	return s.routes(), nil
}
