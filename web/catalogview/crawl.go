package catalogview

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cloudoven/cloudoven/web/components"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// crawlStatusFragment is everything below the title: the page polls it while a crawl runs,
// and a refused "crawl now" comes back as it.
const crawlStatusFragment = "crawl-status"

// maxDocErrorsShown is how many of a provider's documentation errors the page lists; the
// rest are counted.
const maxDocErrorsShown = 20

type crawlProps struct {
	Layout page.Layout
	Status crawlStatusView
}

type crawlStatusView struct {
	Running bool
	// Message says why "crawl now" was refused.
	Message  string
	Started  components.Time // when the running crawl started
	Progress []crawlProgressRow
	Schedule string // the cron expression; empty when crawls run only on demand
	NextRun  components.Time
	Last     *crawlRunView // the last finished crawl; nil before the first
}

// crawlProgressRow is one provider of the running crawl.
type crawlProgressRow struct {
	Source      string
	Done, Total int    // documents fetched of total; Total 0 before the count is known
	Note        string // skipped or failed, once the provider is through
}

type crawlRunView struct {
	Started   components.Time
	Finished  components.Time
	Duration  string
	Err       string
	Providers []crawlProviderRow
}

type crawlProviderRow struct {
	Source        string
	Version       string
	Skipped       bool
	Resources     int
	DataSources   int
	DocPages      int
	Coverage      string // "98.3%", or "—" when not measured
	DocErrorCount int
	DocErrors     []string // the first maxDocErrorsShown
	MoreDocErrors int      // how many DocErrors leaves out
	Err           string
}

// showCrawls answers GET /catalog/crawls: the whole page, or the status fragment for the
// page's own polling.
func (s *Handlers) showCrawls(w http.ResponseWriter, r *http.Request) error {
	return s.renderCrawls(w, r, http.StatusOK, "")
}

// startCrawl answers POST /catalog/crawls: a redirect to the status page once the crawl is
// under way, or 409 with the status and the reason when one already runs.
func (s *Handlers) startCrawl(w http.ResponseWriter, r *http.Request) error {
	err := s.crawls.StartCrawl()
	if errors.Is(err, ErrCrawlRunning) {
		return s.renderCrawls(w, r, http.StatusConflict, "A crawl is already running.")
	}
	if err != nil {
		return fmt.Errorf("starting a crawl: %w", err)
	}
	s.logger.Info("crawl requested", "from", "web")
	page.Redirect(w, r, paths.Crawls())
	return nil
}

func (s *Handlers) renderCrawls(w http.ResponseWriter, r *http.Request, status int, message string) error {
	view := crawlStatusOf(s.crawls.CrawlStatus())
	view.Message = message
	props := crawlProps{Layout: s.frame.Layout("Crawls", page.NavCatalog, page.CatalogCrumb()), Status: view}
	return s.frame.Render(w, r, status, crawlPage(props), crawlStatusFragment)
}

// crawlStatusOf builds the page's view of st. While a crawl runs, st.Last is that crawl
// (unfinished) and gives the progress; only a finished crawl is shown as the last run.
func crawlStatusOf(st CrawlStatus) crawlStatusView {
	v := crawlStatusView{Running: st.Running, Schedule: st.Schedule, NextRun: components.NewTime(st.NextRun)}
	last := st.Last
	if last == nil {
		return v
	}
	if last.Finished.IsZero() {
		if st.Running {
			v.Started = components.NewTime(last.Started)
			v.Progress = crawlProgress(last.Providers)
		}
		return v
	}
	v.Last = &crawlRunView{
		Started:  components.NewTime(last.Started),
		Finished: components.NewTime(last.Finished),
		Duration: crawlDuration(last.Finished.Sub(last.Started)),
		Err:      last.Err,
	}
	for _, p := range last.Providers {
		v.Last.Providers = append(v.Last.Providers, crawlProviderRowOf(p))
	}
	return v
}

// crawlProgress lists the running crawl's providers by source: their order comes from a map
// in the crawler, and rows that moved on every poll would be hard to follow.
func crawlProgress(ps []CrawlProvider) []crawlProgressRow {
	rows := make([]crawlProgressRow, 0, len(ps))
	for _, p := range ps {
		row := crawlProgressRow{Source: p.Source, Done: p.Done, Total: p.Total}
		switch {
		case p.Err != "":
			row.Note = "failed: " + p.Err
		case p.Skipped:
			row.Note = "skipped: " + p.Version + " is already in the catalog"
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b crawlProgressRow) int { return strings.Compare(a.Source, b.Source) })
	return rows
}

func crawlProviderRowOf(p CrawlProvider) crawlProviderRow {
	row := crawlProviderRow{
		Source:        p.Source,
		Version:       p.Version,
		Skipped:       p.Skipped,
		Resources:     p.Resources,
		DataSources:   p.DataSources,
		DocPages:      p.DocPages,
		Coverage:      coverageText(p.Coverage),
		DocErrorCount: len(p.DocErrors),
		DocErrors:     p.DocErrors,
		Err:           p.Err,
	}
	if len(row.DocErrors) > maxDocErrorsShown {
		row.DocErrors = row.DocErrors[:maxDocErrorsShown]
		row.MoreDocErrors = len(p.DocErrors) - maxDocErrorsShown
	}
	return row
}

// coverageText shows a coverage percentage with one decimal; a negative one was not
// measured.
func coverageText(c float64) string {
	if c < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", c)
}

// crawlDuration rounds d to what a person reads: milliseconds under a second, seconds above.
func crawlDuration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
