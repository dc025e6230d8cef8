// Tests of the Registry's documentation calls: DocList, Doc and Docs.

package crawler_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/crawler/registrytest"
)

func TestRegistryDocListPagesThroughEverything(t *testing.T) {
	t.Parallel()
	data := registryData(t)
	srv := serve(t, "azurerm")
	reg := fastRegistry(srv, crawler.RegistryOptions{})
	ctx := context.Background()
	vid := srv.VersionID("azurerm", "5.2.0")

	for _, tc := range []struct {
		category string
		dir      string
		pages    int
	}{
		{"resources", "r", 12},   // 1,103 pages: 11 full pages and one of 3
		{"data-sources", "d", 4}, // 395: 3 full and one of 95
	} {
		before := srv.Requests(registrytest.DocsPath)
		refs, err := reg.DocList(ctx, vid, tc.category)
		if err != nil {
			t.Fatal(err)
		}
		if want := countFiles(t, filepath.Join(data, "azurerm", "docs", tc.dir)); len(refs) != want {
			t.Errorf("%s: listed %d, the docs have %d", tc.category, len(refs), want)
		}
		if n := srv.Requests(registrytest.DocsPath) - before; n != tc.pages {
			t.Errorf("%s: asked %d pages, want %d", tc.category, n, tc.pages)
		}
		var want []crawler.DocRef
		for _, d := range srv.Docs("azurerm", tc.category) {
			want = append(want, crawler.DocRef(d))
		}
		if diff := cmp.Diff(want, refs); diff != "" {
			t.Errorf("%s refs (-want +got):\n%s", tc.category, diff)
		}
	}

	refs, _ := reg.DocList(ctx, vid, "resources")
	i := slices.IndexFunc(refs, func(r crawler.DocRef) bool { return r.Slug == "kubernetes_cluster" })
	if i < 0 {
		t.Fatal("kubernetes_cluster is not listed")
	}
	want := crawler.DocRef{ID: refs[i].ID, Category: "resources", Slug: "kubernetes_cluster", Subcategory: "Container",
		Title: "kubernetes_cluster", Path: "website/docs/r/kubernetes_cluster.html.markdown"}
	if refs[i] != want {
		t.Errorf("kubernetes_cluster = %+v, want %+v", refs[i], want)
	}
}

// TestRegistryDocListFullLastPage: when the last page is exactly full, only the next, empty
// page tells the list is over.
func TestRegistryDocListFullLastPage(t *testing.T) {
	t.Parallel()
	data := registryData(t)

	t.Run("default page size, 200 real pages", func(t *testing.T) {
		t.Parallel()
		// A provider made of the first 200 real azurerm resource pages.
		dir := t.TempDir()
		rdir := filepath.Join(dir, "azurerm", "docs", "r")
		if err := os.MkdirAll(rdir, 0o755); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(filepath.Join(data, "azurerm", "docs", "r"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries[:200] {
			b, err := os.ReadFile(filepath.Join(data, "azurerm", "docs", "r", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(rdir, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		srv := registrytest.NewServer(t, dir, map[string]string{"azurerm": "5.2.0"})
		reg := fastRegistry(srv, crawler.RegistryOptions{})
		refs, err := reg.DocList(context.Background(), srv.VersionID("azurerm", "5.2.0"), "resources")
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != 200 {
			t.Errorf("listed %d, want 200", len(refs))
		}
		var pages []string
		for _, uri := range srv.History() {
			if strings.HasPrefix(uri, registrytest.DocsPath+"?") {
				_, n, _ := strings.Cut(uri, "page[number]=")
				pages = append(pages, n)
			}
		}
		if diff := cmp.Diff([]string{"1", "2", "3"}, pages); diff != "" {
			t.Errorf("pages asked (-want +got):\n%s", diff)
		}
	})

	t.Run("page size 79, 395 data sources", func(t *testing.T) {
		t.Parallel()
		srv := serve(t, "azurerm")
		reg := fastRegistry(srv, crawler.RegistryOptions{PageSize: 79})
		refs, err := reg.DocList(context.Background(), srv.VersionID("azurerm", "5.2.0"), "data-sources")
		if err != nil {
			t.Fatal(err)
		}
		if want := countFiles(t, filepath.Join(data, "azurerm", "docs", "d")); len(refs) != want || want != 395 {
			t.Errorf("listed %d, want %d (395)", len(refs), want)
		}
		if n := srv.Requests(registrytest.DocsPath); n != 6 {
			t.Errorf("asked %d pages, want 5 full ones and an empty one", n)
		}
	})
}

// countingTransport records the most requests in flight at once and every User-Agent.
type countingTransport struct {
	inFlight, most atomic.Int64
	mu             sync.Mutex
	agents         map[string]int
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		m := c.most.Load()
		if n <= m || c.most.CompareAndSwap(m, n) {
			break
		}
	}
	c.mu.Lock()
	c.agents[req.Header.Get("User-Agent")]++
	c.mu.Unlock()
	// The body is read after RoundTrip returns; counting the round trip is close enough,
	// as the server sends headers only with the whole body.
	return http.DefaultTransport.RoundTrip(req)
}

func TestRegistryDocsFetchesEveryAzurermPage(t *testing.T) {
	t.Parallel()
	data := registryData(t)
	srv := serve(t, "azurerm")
	transport := &countingTransport{agents: map[string]int{}}
	reg := fastRegistry(srv, crawler.RegistryOptions{HTTPClient: &http.Client{Transport: transport}})

	var calls, last, lastTotal int
	monotonic := true
	start := time.Now()
	pages, errs, err := reg.Docs(context.Background(), "hashicorp", "azurerm", "5.2.0", func(done, total int) {
		calls++
		monotonic = monotonic && done == last+1
		last, lastTotal = done, total
	})
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("doc error: %v", e)
	}
	nr := countFiles(t, filepath.Join(data, "azurerm", "docs", "r"))
	nd := countFiles(t, filepath.Join(data, "azurerm", "docs", "d"))
	t.Logf("fetched %d azurerm pages (%d resources, %d data sources) in %s, at most %d requests at once",
		len(pages), nr, nd, elapsed.Round(time.Millisecond), transport.most.Load())

	if len(pages) != nr+nd || nr != 1103 || nd != 395 {
		t.Errorf("got %d pages, want %d resources + %d data sources", len(pages), nr, nd)
	}
	if calls != len(pages) || last != len(pages) || lastTotal != len(pages) || !monotonic {
		t.Errorf("progress: %d calls, last %d/%d, monotonic %v; want %d calls ending at %d/%d",
			calls, last, lastTotal, monotonic, len(pages), len(pages), len(pages))
	}
	if n := srv.Requests(registrytest.DocsPath + "/*"); n != len(pages) {
		t.Errorf("%d document requests for %d pages", n, len(pages))
	}
	if m := transport.most.Load(); m > 4 {
		t.Errorf("%d requests at once, want at most the default 4", m)
	}
	for ua := range transport.agents {
		if !strings.HasPrefix(ua, "CloudOven-crawler/") || !strings.HasSuffix(ua, "(+https://github.com/cloudoven/cloudoven)") {
			t.Errorf("User-Agent %q does not identify the crawler", ua)
		}
	}

	sorted := slices.IsSortedFunc(pages, func(a, b crawler.Page) int {
		if a.Kind != b.Kind {
			if a.Kind == catalog.KindResource {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	if !sorted {
		t.Error("pages are not sorted resources first, then by slug")
	}
	kinds := map[catalog.Kind]int{}
	for _, p := range pages {
		kinds[p.Kind]++
	}
	if kinds[catalog.KindResource] != nr || kinds[catalog.KindDataSource] != nd {
		t.Errorf("kinds: %v", kinds)
	}
	i := slices.IndexFunc(pages, func(p crawler.Page) bool {
		return p.Kind == catalog.KindResource && p.Slug == "kubernetes_cluster"
	})
	if i < 0 {
		t.Fatal("no kubernetes_cluster page")
	}
	want, err := os.ReadFile(filepath.Join(data, "azurerm", "docs", "r", "kubernetes_cluster.html.markdown"))
	if err != nil {
		t.Fatal(err)
	}
	p := pages[i]
	if p.Markdown != string(want) || p.Subcategory != "Container" || p.Title != "kubernetes_cluster" ||
		p.Path != "website/docs/r/kubernetes_cluster.html.markdown" || p.TypeName("azurerm") != "azurerm_kubernetes_cluster" {
		t.Errorf("kubernetes_cluster page: %+v (markdown equal: %v)", p.Path, p.Markdown == string(want))
	}
}

// TestRegistryBrokenListsFailTheCrawl: a doc list that cannot be read leaves no way to
// know which documents exist, so Docs fails as a whole and says which request broke.
func TestRegistryBrokenListsFailTheCrawl(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		breakIt func(srv *registrytest.Server)
		wantErr []string
	}{{
		name:    "a truncated doc list",
		breakIt: func(srv *registrytest.Server) { srv.Truncate(registrytest.DocsPath) },
		wantErr: []string{"decoding /v2/provider-docs?filter[provider-version]=", "page[number]=1", "the answer is truncated"},
	}, {
		name:    "a malformed doc list",
		breakIt: func(srv *registrytest.Server) { srv.Malformed(registrytest.DocsPath) },
		wantErr: []string{"decoding /v2/provider-docs?", "malformed JSON"},
	}, {
		name:    "a truncated provider",
		breakIt: func(srv *registrytest.Server) { srv.Truncate(registrytest.ProviderPath("kubernetes")) },
		wantErr: []string{"decoding /v2/providers/hashicorp/kubernetes?include=provider-versions: the answer is truncated"},
	}, {
		name: "a list that ignores paging",
		breakIt: func(srv *registrytest.Server) {
			var b strings.Builder
			b.WriteString(`{"data":[`)
			for i := range 100 {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(`{"id":"` + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + `","attributes":{"slug":"s"}}`)
			}
			b.WriteString(`]}`)
			srv.Respond(registrytest.DocsPath, 200, "application/vnd.api+json", []byte(b.String()))
		},
		wantErr: []string{"page 2 repeats earlier pages"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, "kubernetes")
			tc.breakIt(srv)
			reg := fastRegistry(srv, crawler.RegistryOptions{})
			pages, _, err := reg.Docs(context.Background(), "hashicorp", "kubernetes", "3.2.1", nil)
			if err == nil {
				t.Fatalf("want an error, got %d pages", len(pages))
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if n := srv.Requests(registrytest.DocsPath + "/*"); n != 0 {
				t.Errorf("%d documents were fetched from a broken list", n)
			}
		})
	}
}

func TestRegistryUnknownCategory(t *testing.T) {
	t.Parallel()
	srv := serve(t, "azuread")
	reg := fastRegistry(srv, crawler.RegistryOptions{})
	_, err := reg.DocList(context.Background(), srv.VersionID("azuread", "3.9.0"), "resourcez")
	var se *crawler.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest {
		t.Fatalf("want a 400, got %v", err)
	}
	if !strings.Contains(err.Error(), `400 Bad Request: unknown category "resourcez"`) || !strings.Contains(err.Error(), "filter[category]=resourcez") {
		t.Errorf("the error does not say what was wrong: %v", err)
	}
	if n := srv.Requests(registrytest.DocsPath); n != 1 {
		t.Errorf("a 400 was asked %d times, want once", n)
	}
	// Other categories exist and list nothing for this provider.
	refs, err := reg.DocList(context.Background(), srv.VersionID("azuread", "3.9.0"), "guides")
	if err != nil || len(refs) != 0 {
		t.Errorf("guides: %v, %v", refs, err)
	}
}

func TestRegistryDocsCanceledMidCrawl(t *testing.T) {
	t.Parallel()
	srv := serve(t, "azurerm")
	// One document hangs, so a cancel must also end a request in flight.
	srv.Delay(srv.DocPath("azurerm", "resources", "kubernetes_cluster"), time.Hour)
	reg := fastRegistry(srv, crawler.RegistryOptions{RequestTimeout: time.Hour})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var afterCancel, total int
	canceled := false
	var canceledAt time.Time
	pages, errs, err := reg.Docs(ctx, "hashicorp", "azurerm", "5.2.0", func(done, n int) {
		total = n
		if canceled {
			afterCancel++
		}
		if done == 700 { // past kubernetes_cluster, which is therefore in flight
			canceled, canceledAt = true, time.Now()
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if took := time.Since(canceledAt); took > 5*time.Second {
		t.Errorf("Docs returned %s after the cancel", took)
	}
	if pages != nil || errs != nil {
		t.Errorf("a canceled crawl returned %d pages and %d errors", len(pages), len(errs))
	}
	if afterCancel != 0 {
		t.Errorf("progress was called %d times after the cancel", afterCancel)
	}
	if n := srv.Requests(registrytest.DocsPath + "/*"); n >= total || n < 700 {
		t.Errorf("%d of %d documents were asked for; want the crawl stopped soon after 700", n, total)
	}
}

// TestRegistryDocsGivesUpOnADeadRegistry: when every document fails, Docs stops after a
// run of failures instead of paying full retries for each of the 110 kubernetes pages.
func TestRegistryDocsGivesUpOnADeadRegistry(t *testing.T) {
	t.Parallel()
	srv := serve(t, "kubernetes")
	srv.Fail(registrytest.DocsPath+"/*", http.StatusBadGateway)
	reg := fastRegistry(srv, crawler.RegistryOptions{MaxRetries: 1})
	total := len(srv.Docs("kubernetes", "resources")) + len(srv.Docs("kubernetes", "data-sources"))

	pages, errs, err := reg.Docs(context.Background(), "hashicorp", "kubernetes", "3.2.1", nil)
	if err == nil || !strings.Contains(err.Error(), "giving up: 20 documents in a row failed") || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Fatalf("want a giving-up error, got %v", err)
	}
	if len(pages) != 0 || len(errs) != 20 {
		t.Errorf("got %d pages and %d doc errors, want none and 20", len(pages), len(errs))
	}
	if n := srv.Requests(registrytest.DocsPath + "/*"); n >= 2*total {
		t.Errorf("%d document requests: it did not give up early", n)
	}
}
