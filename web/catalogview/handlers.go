package catalogview

import (
	"log/slog"
	"sync/atomic"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/web/page"
)

// Handlers answers the catalog: search (also the editor's "add" search), each type's page
// with its schema and docs, and, when a crawl service is configured, the crawl status page
// and its "crawl now" button.
type Handlers struct {
	frame   *page.Frame
	catalog func() *catalog.Catalog
	crawls  Crawls                      // nil when no crawl service is configured
	rows    atomic.Pointer[catalogRows] // the current catalog's providers, summarised once per catalog
	logger  *slog.Logger
}

// New returns the catalog handlers; catalog gives the catalog of each request (a crawl may
// swap it); crawls may be nil.
func New(frame *page.Frame, catalog func() *catalog.Catalog, crawls Crawls) *Handlers {
	return &Handlers{frame: frame, catalog: catalog, crawls: crawls, logger: frame.Logger()}
}

// Routes registers the catalog pages for any signed-in user; starting a crawl needs a
// global admin. Without a crawl service there is no status page, and the catalog does not
// link to one.
func (s *Handlers) Routes(rt page.Router) {
	if s.crawls != nil {
		rt.Handle("GET /catalog/crawls", page.SignedIn, s.showCrawls)
		rt.Handle("POST /catalog/crawls", page.GlobalAdmin, s.startCrawl)
	}
	rt.Handle("GET /catalog", page.SignedIn, s.searchCatalog)
	rt.Handle("GET /catalog/types/{kind}/{name}", page.SignedIn, s.showType)
}
