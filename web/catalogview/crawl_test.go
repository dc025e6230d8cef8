package catalogview_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/catalogview"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// fakeCrawls is a crawl service that reports a set status and records the crawls started.
type fakeCrawls struct {
	mu      sync.Mutex
	status  catalogview.CrawlStatus
	started int
}

func (f *fakeCrawls) CrawlStatus() catalogview.CrawlStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func (f *fakeCrawls) StartCrawl() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.status.Running {
		return catalogview.ErrCrawlRunning
	}
	f.started++
	f.status.Running = true
	f.status.Last = &catalogview.CrawlRun{Started: time.Now()}
	return nil
}

func (f *fakeCrawls) starts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.started
}

// newCrawlApp is the test app with crawls as its crawl service.
func newCrawlApp(t *testing.T, crawls *fakeCrawls) *webtest.App {
	t.Helper()
	a := webtest.NewApp(t)
	a.Handler = webtest.NewHandler(t, web.Config{Store: a.Store, Catalog: webtest.Catalog(t), Crawls: crawls, Logger: a.Logger()})
	return a
}

var (
	crawlStart = time.Date(2026, 3, 4, 3, 0, 0, 0, time.UTC)
	crawlEnd   = crawlStart.Add(90 * time.Second)
	nextCrawl  = time.Date(2026, 3, 5, 3, 0, 0, 0, time.UTC)
)

func docErrors(n int) []string {
	var errs []string
	for i := range n {
		errs = append(errs, fmt.Sprintf("docs/r/thing_%d.md: no argument reference", i))
	}
	return errs
}

// pollingAttrs are the attributes that make the status poll itself.
var pollingAttrs = []string{"hx-get", "hx-trigger", "hx-sync", "hx-swap"}

func wantPolling(t *testing.T, doc *goquery.Document, want bool) {
	t.Helper()
	status := webtest.ByTestID(doc, "crawl-status")
	if status.Length() != 1 {
		t.Fatalf("found %d crawl-status elements, want 1", status.Length())
	}
	if !want {
		for _, attr := range pollingAttrs {
			if v, ok := status.Attr(attr); ok {
				t.Errorf("the status polls although no crawl runs: %s=%q", attr, v)
			}
		}
		return
	}
	for attr, want := range map[string]string{
		"hx-get":     paths.Crawls(),
		"hx-trigger": "every 2s",
		"hx-swap":    "outerHTML",
	} {
		if got := status.AttrOr(attr, ""); got != want {
			t.Errorf("status %s=%q, want %q", attr, got, want)
		}
	}
	if status.AttrOr("hx-sync", "") == "" {
		t.Errorf("the polling status has no hx-sync")
	}
}

func TestCrawlPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status catalogview.CrawlStatus
		check  func(t *testing.T, doc *goquery.Document)
	}{
		{
			name:   "never crawled",
			status: catalogview.CrawlStatus{},
			check: func(t *testing.T, doc *goquery.Document) {
				wantPolling(t, doc, false)
				webtest.WantOne(t, doc, "crawl-never")
				webtest.WantOne(t, doc, "crawl-idle")
				if got := webtest.WantOne(t, doc, "crawl-schedule"); got != "Crawls run only when started here or with cloudoven crawl." {
					t.Errorf("schedule %q", got)
				}
				if _, disabled := webtest.ByTestID(doc, "crawl-start").Attr("disabled"); disabled {
					t.Errorf("Crawl now is disabled although no crawl runs")
				}
				form := webtest.ByTestID(doc, "crawl-form")
				if form.AttrOr("method", "") != "post" || form.AttrOr("action", "") != paths.Crawls() || form.AttrOr("hx-post", "") != paths.Crawls() {
					t.Errorf("the crawl form does not post to %s", paths.Crawls())
				}
			},
		},
		{
			name: "running",
			status: catalogview.CrawlStatus{
				Running:  true,
				Schedule: "0 3 * * *",
				NextRun:  nextCrawl,
				Last: &catalogview.CrawlRun{Started: crawlStart, Providers: []catalogview.CrawlProvider{
					{Source: "registry.terraform.io/hashicorp/random", Coverage: -1},
					{Source: "registry.terraform.io/hashicorp/azurerm", Coverage: -1, Done: 12, Total: 40},
				}},
			},
			check: func(t *testing.T, doc *goquery.Document) {
				wantPolling(t, doc, true)
				if got := webtest.ByTestID(doc, "crawl-status").AttrOr("data-running", ""); got != "true" {
					t.Errorf("data-running %q", got)
				}
				if got := webtest.ByTestID(doc, "crawl-running-started").Find("time").AttrOr("datetime", ""); got != crawlStart.Format(time.RFC3339) {
					t.Errorf("the running crawl started at %q", got)
				}
				rows := webtest.ByTestID(doc, "crawl-progress")
				order := rows.Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-provider", "") })
				if want := "registry.terraform.io/hashicorp/azurerm,registry.terraform.io/hashicorp/random"; strings.Join(order, ",") != want {
					t.Errorf("progress rows %v, want sorted by source", order)
				}
				bar := webtest.ByTestID(rows.First(), "crawl-progress-bar")
				if bar.Length() != 1 || goquery.NodeName(bar) != "progress" || bar.AttrOr("max", "") != "40" || bar.AttrOr("value", "") != "12" {
					t.Errorf("azurerm progress is not <progress max=40 value=12>: %v", bar.Nodes)
				}
				if got := strings.TrimSpace(webtest.ByTestID(rows.First(), "crawl-progress-count").Text()); got != "12/40" {
					t.Errorf("azurerm progress %q", got)
				}
				if _, ok := webtest.ByTestID(rows.Last(), "crawl-progress-bar").Attr("value"); ok {
					t.Errorf("a provider without a document count shows a determinate progress bar")
				}
				if _, disabled := webtest.ByTestID(doc, "crawl-start").Attr("disabled"); !disabled {
					t.Errorf("Crawl now is enabled while a crawl runs")
				}
				if got := webtest.WantOne(t, doc, "crawl-schedule-cron"); got != "0 3 * * *" {
					t.Errorf("schedule %q", got)
				}
				if got := webtest.ByTestID(doc, "crawl-next-run").Find("time").AttrOr("datetime", ""); got != nextCrawl.Format(time.RFC3339) {
					t.Errorf("next run %q", got)
				}
				// The running crawl is progress, not a last run; there was none before it.
				webtest.WantOne(t, doc, "crawl-never")
			},
		},
		{
			name: "finished",
			status: catalogview.CrawlStatus{
				Schedule: "0 3 * * *",
				NextRun:  nextCrawl,
				Last: &catalogview.CrawlRun{Started: crawlStart, Finished: crawlEnd, Providers: []catalogview.CrawlProvider{
					{
						Source: "registry.terraform.io/hashicorp/azurerm", Version: "5.2.0", Resources: 1100,
						DataSources: 400, DocPages: 1500, Coverage: 98.26, DocErrors: docErrors(25), Done: 1500, Total: 1500,
					},
					{Source: "registry.terraform.io/hashicorp/random", Version: "3.7.2", Skipped: true, Coverage: -1},
					{Source: "registry.terraform.io/hashicorp/aws", Coverage: -1, Err: "fetching versions: 503 Service Unavailable"},
				}},
			},
			check: func(t *testing.T, doc *goquery.Document) {
				wantPolling(t, doc, false)
				webtest.WantOne(t, doc, "crawl-idle")
				if webtest.ByTestID(doc, "crawl-never").Length() != 0 || webtest.ByTestID(doc, "crawl-run-error").Length() != 0 {
					t.Errorf("a successful crawl shows as none or as failed")
				}
				if got := webtest.ByTestID(doc, "crawl-started").Find("time").AttrOr("datetime", ""); got != crawlStart.Format(time.RFC3339) {
					t.Errorf("started %q", got)
				}
				if got := webtest.ByTestID(doc, "crawl-finished").Find("time").AttrOr("datetime", ""); got != crawlEnd.Format(time.RFC3339) {
					t.Errorf("finished %q", got)
				}
				if got := webtest.WantOne(t, doc, "crawl-duration"); got != "1m30s" {
					t.Errorf("duration %q", got)
				}
				row := func(source string) *goquery.Selection {
					t.Helper()
					sel := doc.Find(`[data-testid="crawl-provider"][data-provider="registry.terraform.io/hashicorp/` + source + `"]`)
					if sel.Length() != 1 {
						t.Fatalf("found %d rows for %s", sel.Length(), source)
					}
					return sel
				}
				cell := func(row *goquery.Selection, id string) string {
					return strings.TrimSpace(webtest.ByTestID(row, id).Text())
				}
				azurerm := row("azurerm")
				for id, want := range map[string]string{
					"crawl-provider-version":      "5.2.0",
					"crawl-provider-state":        "crawled",
					"crawl-provider-resources":    "1100",
					"crawl-provider-data-sources": "400",
					"crawl-provider-doc-pages":    "1500",
					"crawl-provider-coverage":     "98.3%",
				} {
					if got := cell(azurerm, id); got != want {
						t.Errorf("azurerm %s %q, want %q", id, got, want)
					}
				}
				docErrs := webtest.ByTestID(azurerm, "crawl-provider-doc-errors")
				if got := docErrs.AttrOr("data-count", ""); got != "25" {
					t.Errorf("azurerm doc error count %q", got)
				}
				if docErrs.Find("details summary").Length() != 1 {
					t.Errorf("the doc errors are not in a <details>")
				}
				listed := webtest.ByTestID(docErrs, "crawl-doc-error")
				if listed.Length() != catalogview.MaxDocErrorsShown {
					t.Errorf("%d doc errors listed, want %d", listed.Length(), catalogview.MaxDocErrorsShown)
				}
				if got := strings.TrimSpace(listed.First().Text()); got != "docs/r/thing_0.md: no argument reference" {
					t.Errorf("first doc error %q", got)
				}
				if got := cell(docErrs, "crawl-doc-errors-more"); got != "and 5 more" {
					t.Errorf("more doc errors %q", got)
				}

				random := row("random")
				if got := cell(random, "crawl-provider-state"); got != "skipped" {
					t.Errorf("random state %q", got)
				}
				if got := cell(random, "crawl-provider-coverage"); got != "—" {
					t.Errorf("unmeasured coverage shows %q, want —", got)
				}
				if got := webtest.ByTestID(random, "crawl-provider-doc-errors").AttrOr("data-count", ""); got != "0" {
					t.Errorf("random doc error count %q", got)
				}

				aws := row("aws")
				if got := cell(aws, "crawl-provider-error"); got != "fetching versions: 503 Service Unavailable" {
					t.Errorf("aws error %q", got)
				}
				if got := cell(aws, "crawl-provider-state"); got != "failed" {
					t.Errorf("aws state %q", got)
				}
			},
		},
		{
			name: "failed",
			status: catalogview.CrawlStatus{Last: &catalogview.CrawlRun{
				Started: crawlStart, Finished: crawlStart.Add(250 * time.Millisecond),
				Err: "loading the crawled catalog: no providers",
			}},
			check: func(t *testing.T, doc *goquery.Document) {
				wantPolling(t, doc, false)
				if got := webtest.WantOne(t, doc, "crawl-run-error"); !strings.Contains(got, "loading the crawled catalog: no providers") {
					t.Errorf("run error %q", got)
				}
				if got := webtest.WantOne(t, doc, "crawl-duration"); got != "250ms" {
					t.Errorf("duration %q", got)
				}
				webtest.WantOne(t, doc, "crawl-no-providers")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newCrawlApp(t, &fakeCrawls{status: tt.status})

			w := a.Get(paths.Crawls(), false)
			webtest.WantStatus(t, w, http.StatusOK)
			doc := webtest.WantFullPage(t, w)
			if got := webtest.WantOne(t, doc, "page-title"); got != "Crawls" {
				t.Errorf("title %q", got)
			}
			if webtest.ByTestID(doc, "nav-catalog").AttrOr("aria-current", "") != "page" {
				t.Errorf("the Catalog nav link is not current")
			}
			if webtest.ByTestID(doc, "crawl-message").Length() != 0 {
				t.Errorf("a plain GET shows a message")
			}
			tt.check(t, doc)

			// The poll gets the status alone, built the same way.
			w = a.Get(paths.Crawls(), true)
			webtest.WantStatus(t, w, http.StatusOK)
			tt.check(t, webtest.WantFragment(t, w, "crawl-status"))
		})
	}
}

func TestStartCrawl(t *testing.T) {
	t.Parallel()
	for _, htmx := range []bool{false, true} {
		t.Run(fmt.Sprintf("htmx=%v", htmx), func(t *testing.T) {
			t.Parallel()
			crawls := &fakeCrawls{}
			a := newCrawlApp(t, crawls)
			w := a.PostForm(paths.Crawls(), nil, htmx)
			if htmx {
				webtest.WantStatus(t, w, http.StatusNoContent)
				if got := w.Header().Get("HX-Redirect"); got != paths.Crawls() {
					t.Errorf("HX-Redirect %q, want %q", got, paths.Crawls())
				}
			} else {
				webtest.WantStatus(t, w, http.StatusSeeOther)
				if got := w.Header().Get("Location"); got != paths.Crawls() {
					t.Errorf("Location %q, want %q", got, paths.Crawls())
				}
			}
			if n := crawls.starts(); n != 1 {
				t.Errorf("%d crawls started, want 1", n)
			}

			// The page it lands on shows the crawl running.
			doc := webtest.WantFullPage(t, a.Get(paths.Crawls(), false))
			webtest.WantOne(t, doc, "crawl-running")
			wantPolling(t, doc, true)
		})
	}
}

func TestStartCrawlWhileRunning(t *testing.T) {
	t.Parallel()
	crawls := &fakeCrawls{status: catalogview.CrawlStatus{Running: true, Last: &catalogview.CrawlRun{Started: crawlStart}}}
	a := newCrawlApp(t, crawls)

	w := a.PostForm(paths.Crawls(), nil, false)
	webtest.WantStatus(t, w, http.StatusConflict)
	doc := webtest.WantFullPage(t, w)
	if got := webtest.WantOne(t, doc, "crawl-message"); got != "A crawl is already running." {
		t.Errorf("message %q", got)
	}
	wantPolling(t, doc, true)

	w = a.PostForm(paths.Crawls(), nil, true)
	webtest.WantStatus(t, w, http.StatusConflict)
	doc = webtest.WantFragment(t, w, "crawl-status")
	if got := webtest.WantOne(t, doc, "crawl-message"); got != "A crawl is already running." {
		t.Errorf("message %q", got)
	}

	if n := crawls.starts(); n != 0 {
		t.Errorf("%d crawls started while one ran", n)
	}
}

type failingCrawls struct{ fakeCrawls }

func (f *failingCrawls) StartCrawl() error { return errors.New("the crawl service is not started") }

func TestStartCrawlFailure(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.Handler = webtest.NewHandler(t, web.Config{Store: a.Store, Catalog: webtest.Catalog(t), Crawls: &failingCrawls{}, Logger: a.Logger()})
	w := a.PostForm(paths.Crawls(), nil, false)
	webtest.WantStatus(t, w, http.StatusInternalServerError)
	if !strings.Contains(a.Log.String(), "starting a crawl: the crawl service is not started") {
		t.Errorf("the failure is not logged:\n%s", a.Log)
	}
}

func TestCrawlPageWithoutCrawls(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	for _, w := range []*httptest.ResponseRecorder{
		a.Get(paths.Crawls(), false),
		a.PostForm(paths.Crawls(), nil, false),
	} {
		webtest.WantStatus(t, w, http.StatusNotFound)
		doc := webtest.WantFullPage(t, w)
		if got := webtest.ByTestID(doc, "error-page").AttrOr("data-status", ""); got != "404" {
			t.Errorf("error page status %q", got)
		}
	}
}

func TestCrossSiteCrawlIsRefused(t *testing.T) {
	t.Parallel()
	crawls := &fakeCrawls{}
	a := newCrawlApp(t, crawls)
	post := func(site string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, paths.Crawls(), nil)
		r.Header.Set("Sec-Fetch-Site", site)
		return a.Do(r)
	}
	w := post("cross-site")
	webtest.WantStatus(t, w, http.StatusForbidden)
	if got := webtest.WantOne(t, webtest.WantFullPage(t, w), "error-title"); got != "Request refused" {
		t.Errorf("error title %q", got)
	}
	if n := crawls.starts(); n != 0 {
		t.Errorf("a cross-site post started %d crawls", n)
	}

	// The same post from CloudOven's own page goes through.
	webtest.WantStatus(t, post("same-origin"), http.StatusSeeOther)
	if n := crawls.starts(); n != 1 {
		t.Errorf("%d crawls started, want 1", n)
	}
}

func TestCatalogLinksToCrawls(t *testing.T) {
	t.Parallel()
	t.Run("configured", func(t *testing.T) {
		t.Parallel()
		a := newCrawlApp(t, &fakeCrawls{})
		doc := webtest.WantFullPage(t, a.Get(paths.Catalog(""), false))
		link := webtest.ByTestID(doc, "crawls-link")
		if link.Length() != 1 || link.AttrOr("href", "") != paths.Crawls() {
			t.Fatalf("the catalog page does not link to %s:\n%s", paths.Crawls(), doc.Text())
		}
		// The status page does not link to itself.
		if n := webtest.ByTestID(webtest.WantFullPage(t, a.Get(paths.Crawls(), false)), "crawls-link").Length(); n != 0 {
			t.Errorf("the crawl status page links to itself")
		}
	})
	t.Run("not configured", func(t *testing.T) {
		t.Parallel()
		a := webtest.NewApp(t)
		doc := webtest.WantFullPage(t, a.Get(paths.Catalog(""), false))
		if n := webtest.ByTestID(doc, "crawls-link").Length(); n != 0 {
			t.Errorf("the catalog page links to a crawl status page that does not exist")
		}
	})
}
