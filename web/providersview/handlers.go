package providersview

import (
	"context"
	"log/slog"

	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
)

// Cache is the server's provider cache; *providers.Cache has it.
type Cache interface {
	List(ctx context.Context) ([]providers.Package, error)
	Remove(ctx context.Context, source, version, platform string) error
}

// Store reads which deployments' lock files name which provider versions; *store.Store has
// it.
type Store interface {
	LockUsage(ctx context.Context) (store.LockUsage, error)
}

// Handlers answers the providers page and its two posts.
type Handlers struct {
	frame  *page.Frame
	store  Store
	cache  Cache // nil when provider management is not configured
	logger *slog.Logger
}

// New returns the providers page's handlers. cache may be nil: the page then says provider
// management is not configured.
func New(frame *page.Frame, st Store, cache Cache) *Handlers {
	return &Handlers{frame: frame, store: st, cache: cache, logger: frame.Logger()}
}

// Routes registers the providers page, for global admins only: the cache serves every
// project. Remove and prune are audited by their handlers, whose entries name what went.
func (s *Handlers) Routes(rt page.Router) {
	rt.Handle("GET /admin/providers", page.GlobalAdmin, s.show)
	rt.Handle("POST /admin/providers/remove", page.GlobalAdmin, s.remove)
	rt.Handle("POST /admin/providers/prune", page.GlobalAdmin, s.prune)
}
