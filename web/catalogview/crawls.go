package catalogview

import (
	"errors"
	"time"
)

// Crawls is the crawler service as the web interface sees it: its status, and a way to start
// a crawl now. cmd/cloudoven adapts the crawler's service to it.
type Crawls interface {
	CrawlStatus() CrawlStatus
	// StartCrawl starts a crawl in the background; ErrCrawlRunning when one is under way.
	StartCrawl() error
}

// ErrCrawlRunning refuses a second crawl while one runs.
var ErrCrawlRunning = errors.New("a crawl is already running")

// CrawlStatus is what the crawl status page shows.
type CrawlStatus struct {
	Running  bool
	Schedule string    // the cron expression, empty when crawls run only on demand
	NextRun  time.Time // zero without a schedule
	Last     *CrawlRun // nil before the first crawl
}

// CrawlRun is one finished (or running) crawl.
type CrawlRun struct {
	Started, Finished time.Time
	Err               string // the crawl as a whole failed
	Providers         []CrawlProvider
}

// CrawlProvider is one provider's part of a crawl.
type CrawlProvider struct {
	Source      string
	Version     string
	Skipped     bool // that version was already in the catalog
	Resources   int
	DataSources int
	DocPages    int
	Coverage    float64 // share of arguments with a description, in percent; -1 when not measured
	DocErrors   []string
	Err         string
	// Progress while running: documents fetched of total.
	Done, Total int
}
