package page

import (
	"context"
	"log/slog"
	"time"

	"github.com/cloudoven/cloudoven/store"
)

// Navigation sections the layout highlights.
const (
	NavProjects = "projects"
	NavCatalog  = "catalog"
)

// Assets gives the URL of a static file; the web package's content-hashed assets have it.
type Assets interface {
	URL(name string) string
}

// Store is what the frame itself asks of the store: the signed-in user's role in a project
// (route guards) and the audit log. *store.Store has it.
type Store interface {
	MemberRole(ctx context.Context, project, user string) (string, error)
	RecordAudit(ctx context.Context, e store.AuditEntry) error
	RecordRepeatedAudit(ctx context.Context, e store.AuditEntry, key string, window time.Duration) error
}

// Frame renders pages and guards routes for the feature packages. One Frame serves the whole
// interface; its methods are safe for concurrent use.
type Frame struct {
	store  Store
	assets Assets
	logger *slog.Logger
	now    func() time.Time
}

// NewFrame returns a Frame. now nil means time.Now; logger nil means slog.Default().
func NewFrame(st Store, assets Assets, logger *slog.Logger, now func() time.Time) *Frame {
	if logger == nil {
		logger = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	return &Frame{store: st, assets: assets, logger: logger, now: now}
}

// Logger is where request errors are logged; features log what they did with it too.
func (f *Frame) Logger() *slog.Logger { return f.logger }

// Now is the interface's clock.
func (f *Frame) Now() time.Time { return f.now() }

// AssetURL is the content-hashed URL of a static file, for pages that load one of their own.
func (f *Frame) AssetURL(name string) string { return f.assets.URL(name) }

// HTMXFile is the htmx build the layout loads; the version matches package.json.
const HTMXFile = "vendor/htmx.2.0.11.min.js"

// Layout is what the shared layout needs on every page.
func (f *Frame) Layout(title, nav string, crumbs ...Crumb) Layout {
	return Layout{
		Title:        title,
		Nav:          nav,
		Crumbs:       crumbs,
		StyleURL:     f.assets.URL("app.css"),
		HTMXURL:      f.assets.URL(HTMXFile),
		AppScriptURL: f.assets.URL("app.js"),
		IconURL:      f.assets.URL("favicon.svg"),
	}
}
