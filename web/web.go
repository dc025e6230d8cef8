package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/cloudoven/cloudoven/schemas"
	"github.com/cloudoven/cloudoven/store"
)

// Store is the part of package store the web interface calls. *store.Store implements it;
// tests may fake it.
type Store interface {
	CreateProject(ctx context.Context, name, description string) (store.Project, error)
	Projects(ctx context.Context) ([]store.Project, error)
	Project(ctx context.Context, name string) (store.Project, error)

	CreateBlueprint(ctx context.Context, project, name, description string, document []byte, message string) (store.Blueprint, store.BlueprintVersion, error)
	AddBlueprintVersion(ctx context.Context, project, blueprint string, document []byte, message string) (store.BlueprintVersion, error)
	Blueprints(ctx context.Context, project string) ([]store.Blueprint, error)
	Blueprint(ctx context.Context, project, name string) (store.Blueprint, error)
	BlueprintVersions(ctx context.Context, project, name string) ([]store.BlueprintVersion, error)
	BlueprintVersion(ctx context.Context, project, name string, version int) (store.BlueprintVersion, error)
}

// Config is what New needs. Store and Catalog are required.
type Config struct {
	Store   Store
	Catalog *schemas.Catalog
	// Logger receives request errors; nil means slog.Default().
	Logger *slog.Logger
	// Dev serves static files from StaticDir on disk, uncached, so edits show on reload.
	Dev       bool
	StaticDir string
}

// server holds the handlers' dependencies.
type server struct {
	store     Store
	catalog   *schemas.Catalog
	providers []providerRow // the catalog's providers, summarised once
	logger    *slog.Logger
	assets    *assets
}

// New builds the web interface: every route of routes.go behind the security headers and
// Go's cross-origin protection, which refuses state-changing requests from other sites.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: no store configured")
	}
	if cfg.Catalog == nil {
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
		store:     cfg.Store,
		catalog:   cfg.Catalog,
		providers: providerRows(cfg.Catalog),
		logger:    logger,
		assets:    a,
	}
	return s.routes(), nil
}
