package crawler_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/crawler/registrytest"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

var regenerate = flag.Bool("regenerate", false, "rewrite the committed catalog in ../catalog")

// catalogVersions are the provider versions in ../shared/data.
var catalogVersions = map[string]string{"azurerm": "5.2.0", "azuread": "3.9.0", "helm": "3.1.2", "kubernetes": "3.2.1", "random": "3.9.0"}

// crawledAt is the crawl time recorded in the committed catalog, so regenerating it is
// byte-for-byte reproducible.
var crawledAt = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func sharedData(t testing.TB) string {
	t.Helper()
	return testenv.SharedData(t)
}

// catalogTargets: schemas from the dumped JSON of ../shared/data, docs through the registry
// code path, plus the builtin provider from the real terraform.
func catalogTargets(data string) []crawler.Target {
	var out []crawler.Target
	for _, name := range []string{"azurerm", "azuread", "helm", "kubernetes", "random"} {
		out = append(out, crawler.Target{Source: "hashicorp/" + name, Version: catalogVersions[name], SchemaFile: filepath.Join(data, name, "schema.json")})
	}
	return append(out, crawler.Target{Source: catalog.BuiltinSource})
}

// TestCommittedCatalogIsWhatTheCrawlerMakes crawls ../shared/data through a local registry
// that serves it in the API's shapes and compares the result with the committed catalog in
// ../catalog, file by file. With -regenerate it rewrites the committed catalog instead.
func TestCommittedCatalogIsWhatTheCrawlerMakes(t *testing.T) {
	data := sharedData(t)
	tf := testenv.Terraform(t)
	srv := registrytest.NewServer(t, data, catalogVersions)
	dir := t.TempDir()
	if *regenerate {
		dir = filepath.Join(testenv.RepoRoot(), "catalog")
	}
	opts := crawler.Options{
		CatalogDir: dir,
		Registry:   crawler.NewRegistry(crawler.RegistryOptions{BaseURL: srv.URL()}),
		Schema:     crawler.SchemaOptions{Terraform: tf, WorkDir: t.TempDir()},
		Force:      true,
		Now:        func() time.Time { return crawledAt },
	}
	res, err := crawler.Crawl(context.Background(), catalogTargets(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Providers {
		if p.Err != nil {
			t.Fatalf("%s: %v", p.Source, p.Err)
		}
		t.Logf("%s %s: %d resources, %d data sources, %d doc pages, coverage %.1f%%, %d doc errors",
			p.Source, p.Version, p.Resources, p.DataSources, p.DocPages, p.Coverage.Percent(), len(p.DocErrors))
	}
	if *regenerate {
		return
	}
	want, err := catalog.ReadIndex(filepath.Join(testenv.RepoRoot(), "catalog"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := catalog.ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := os.ReadFile(filepath.Join(testenv.RepoRoot(), "catalog", "index.json"))
	gotJSON, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	if !bytes.Equal(wantJSON, gotJSON) {
		t.Errorf("the committed catalog is not what the crawler makes now; run\n\tgo test ./crawler -run TestCommittedCatalogIsWhatTheCrawlerMakes -regenerate\ncommitted %d providers, crawled %d", len(want.Providers), len(got.Providers))
	}
	if _, err := catalog.Load(os.DirFS(dir)); err != nil {
		t.Errorf("the crawled catalog does not load: %v", err)
	}
}

// TestInterruptedCrawlLeavesCatalogUnchanged cancels a crawl while it fetches documents: the
// index is byte-for-byte what it was, and the catalog still loads.
func TestInterruptedCrawlLeavesCatalogUnchanged(t *testing.T) {
	data := sharedData(t)
	srv := registrytest.NewServer(t, data, catalogVersions)
	dir := filepath.Join(t.TempDir(), "catalog")
	if err := catalog.Seed(dir, catalog.Embedded()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "index.json"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var fetched atomic.Int64
	opts := crawler.Options{
		CatalogDir: dir,
		Registry:   crawler.NewRegistry(crawler.RegistryOptions{BaseURL: srv.URL()}),
		Force:      true,
		Progress: func(source string, done, total int) {
			// azuread is crawled second: azurerm's files are written by then.
			if source == "registry.terraform.io/hashicorp/azuread" && fetched.Add(1) == 5 {
				cancel()
			}
		},
	}
	targets := catalogTargets(data)[:2] // azurerm, azuread
	_, err := crawler.Crawl(ctx, targets, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	if !bytes.Equal(before, after) {
		t.Error("an interrupted crawl changed the index")
	}
	if _, err := catalog.Load(os.DirFS(dir)); err != nil {
		t.Errorf("the previous catalog no longer loads: %v", err)
	}
}

// TestCrawlSkipsVersionsAlreadyCrawled: a second crawl of the same versions does nothing
// unless forced.
func TestCrawlSkipsVersionsAlreadyCrawled(t *testing.T) {
	data := sharedData(t)
	srv := registrytest.NewServer(t, data, catalogVersions)
	dir := t.TempDir()
	opts := crawler.Options{CatalogDir: dir, Registry: crawler.NewRegistry(crawler.RegistryOptions{BaseURL: srv.URL()})}
	targets := []crawler.Target{{Source: "hashicorp/random", SchemaFile: filepath.Join(data, "random", "schema.json")}}
	res, err := crawler.Crawl(context.Background(), targets, opts)
	if err != nil || len(res.Providers) != 1 || res.Providers[0].Skipped || res.Providers[0].Version != "3.9.0" {
		t.Fatalf("first crawl: %+v %v", res, err)
	}
	res, err = crawler.Crawl(context.Background(), targets, opts)
	if err != nil || !res.Providers[0].Skipped {
		t.Fatalf("second crawl should skip: %+v %v", res, err)
	}
	if p := res.Providers[0]; p.Resources != 10 || p.DocPages != 10 {
		t.Errorf("a skipped provider reports the catalog's counts, got %d resources and %d doc pages", p.Resources, p.DocPages)
	}
	opts.Force = true
	res, err = crawler.Crawl(context.Background(), targets, opts)
	if err != nil || res.Providers[0].Skipped || res.Providers[0].DocPages == 0 {
		t.Fatalf("forced crawl: %+v %v", res, err)
	}
}

// TestServiceNeverRunsTwoCrawls: a trigger while a crawl runs is refused, and the finished
// catalog is handed over.
func TestServiceNeverRunsTwoCrawls(t *testing.T) {
	data := sharedData(t)
	srv := registrytest.NewServer(t, data, catalogVersions)
	dir := filepath.Join(t.TempDir(), "catalog")
	if err := catalog.Seed(dir, catalog.Embedded()); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	swapped := make(chan *catalog.Catalog, 1)
	opts := crawler.Options{
		CatalogDir: dir,
		Registry:   crawler.NewRegistry(crawler.RegistryOptions{BaseURL: srv.URL()}),
		Force:      true,
		Progress:   func(string, int, int) { <-release },
	}
	targets := []crawler.Target{{Source: "hashicorp/random", Version: "3.9.0", SchemaFile: filepath.Join(data, "random", "schema.json")}}
	svc, err := crawler.NewService(targets, opts, "", func(c *catalog.Catalog) { swapped <- c })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc.Start(ctx)
	if err := svc.Trigger(); err != nil {
		t.Fatal(err)
	}
	if err := svc.Trigger(); !errors.Is(err, crawler.ErrRunning) {
		t.Errorf("second trigger: want ErrRunning, got %v", err)
	}
	if running, _ := svc.Status(); !running {
		t.Error("status does not say running")
	}
	close(release)
	cat := <-swapped
	if cat.Resource("random_password") == nil {
		t.Error("the swapped-in catalog lacks random_password")
	}
	svc.Stop()
	running, st := svc.Status()
	if running || st == nil || st.Err != nil || len(st.Result.Providers) != 1 {
		t.Errorf("final status: running=%v %+v", running, st)
	}
}

func TestServiceRefusesABadSchedule(t *testing.T) {
	_, err := crawler.NewService(nil, crawler.Options{}, "every day at noon", nil)
	if err == nil {
		t.Fatal("a bad schedule was accepted")
	}
	if _, err := crawler.NewService(nil, crawler.Options{}, "0 3 * * *", nil); err != nil {
		t.Errorf("a good schedule was refused: %v", err)
	}
}

// BenchmarkCrawlCatalog is a full crawl of the five providers of ../shared/data into an empty
// catalog: docs fetched from a local registry (1,691 pages), parsed, coverage measured,
// files written and committed. Schemas come from the dumps, so no terraform runs.
func BenchmarkCrawlCatalog(b *testing.B) {
	data := sharedData(b)
	srv := registrytest.NewServer(b, data, catalogVersions)
	targets := catalogTargets(data)[:5]
	for b.Loop() {
		opts := crawler.Options{
			CatalogDir: b.TempDir(),
			Registry:   crawler.NewRegistry(crawler.RegistryOptions{BaseURL: srv.URL()}),
			Now:        func() time.Time { return crawledAt },
		}
		if _, err := crawler.Crawl(context.Background(), targets, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCrawlFromDocsDirectory crawls docs from a local docs directory instead of a registry.
func TestCrawlFromDocsDirectory(t *testing.T) {
	data := sharedData(t)
	dir := t.TempDir()
	targets := []crawler.Target{{Source: "hashicorp/helm", Version: "3.1.2",
		SchemaFile: filepath.Join(data, "helm", "schema.json"), DocsDir: filepath.Join(data, "helm", "docs")}}
	res, err := crawler.Crawl(context.Background(), targets, crawler.Options{CatalogDir: dir})
	if err != nil || res.Providers[0].Err != nil {
		t.Fatalf("crawl: %v %+v", err, res)
	}
	cat, err := catalog.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	rel := cat.Resource("helm_release")
	if rel == nil || rel.Doc == nil || rel.Doc.Arguments["chart"] == "" {
		t.Fatalf("helm_release docs not crawled from the directory: %+v", rel)
	}
}
