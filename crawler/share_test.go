package crawler_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/store"
)

// sharedStore is the store as crawler.Shared, as cmd/cloudoven adapts it.
type sharedStore struct{ *store.Store }

func (s sharedStore) PublishedCatalog(ctx context.Context) (crawler.Published, error) {
	pc, err := s.Store.PublishedCatalog(ctx)
	return crawler.Published{Generation: pc.Generation, SHA256: pc.SHA256, Blob: pc.Blob}, err
}

// replicas opens two stores on one new database of the dialect, as two replicas of a
// server, and returns with them a raw connection to the database, for what no replica
// would do.
func replicas(t *testing.T, dialect string) (a, b *store.Store, raw *sql.DB) {
	t.Helper()
	loc, driver := filepath.Join(t.TempDir(), "cloudoven.db"), "sqlite"
	if dialect == "postgres" {
		loc, driver = testenv.Postgres(t), "pgx"
	}
	var ss [2]*store.Store
	for i := range ss {
		s, err := store.Open(t.Context(), loc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		ss[i] = s
	}
	raw, err := sql.Open(driver, loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return ss[0], ss[1], raw
}

// TestPublishedCatalogReachesTheOtherReplica, on both databases: a replica's crawl is
// refused while another replica holds the crawl lock; a complete crawl publishes its
// catalog and the other replica, whose Live holds another catalog, swaps to it (at once
// with Follow, then from its polling loop for the next publication); a partial crawl
// publishes nothing; a blob that does not match its SHA-256 is refused and the current
// catalog stays.
func TestPublishedCatalogReachesTheOtherReplica(t *testing.T) {
	data := sharedData(t)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			a, b, raw := replicas(t, dialect)
			ctx := t.Context()
			helm := func(version string) crawler.Target {
				return crawler.Target{Source: "hashicorp/helm", Version: version,
					SchemaFile: filepath.Join(data, "helm", "schema.json"), DocsDir: filepath.Join(data, "helm", "docs")}
			}

			// The follower starts on a catalog of its own.
			dirB := t.TempDir()
			if _, err := catalog.Write(dirB, catalog.ProviderVersion{Source: "hashicorp/random", Version: "3.9.0",
				Schema: mustSchema(t, filepath.Join(data, "random", "schema.json"), "registry.terraform.io/hashicorp/random")}); err != nil {
				t.Fatal(err)
			}
			start, err := catalog.Load(os.DirFS(dirB))
			if err != nil {
				t.Fatal(err)
			}
			liveA, liveB := catalog.NewLive(nil), catalog.NewLive(start)
			swappedB := make(chan *catalog.Catalog, 4)
			follower, err := crawler.NewService(nil, crawler.Options{CatalogDir: dirB, Shared: sharedStore{b}, FollowEvery: 20 * time.Millisecond}, "",
				func(c *catalog.Catalog) { liveB.Swap(c); swappedB <- c })
			if err != nil {
				t.Fatal(err)
			}
			if gen, err := follower.Follow(ctx); err != nil || gen != 0 {
				t.Fatalf("Follow before any publication: %d, %v", gen, err)
			}

			dirA := t.TempDir()
			publisher, err := crawler.NewService([]crawler.Target{helm("3.1.2")}, crawler.Options{CatalogDir: dirA, Shared: sharedStore{a}}, "", liveA.Swap)
			if err != nil {
				t.Fatal(err)
			}
			releaseB, ok, err := b.TryCrawlLock(ctx, nil)
			if err != nil || !ok {
				t.Fatalf("the other replica's crawl lock: ok=%v, %v", ok, err)
			}
			if _, err := publisher.Run(ctx); !errors.Is(err, crawler.ErrRunning) {
				t.Fatalf("a crawl while another replica holds the crawl lock: %v, want ErrRunning", err)
			}
			releaseB()
			if _, err := publisher.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if gen, err := a.CatalogGeneration(ctx); err != nil || gen != 1 {
				t.Fatalf("published generation %d, %v; want 1", gen, err)
			}
			if gen, err := publisher.Follow(ctx); err != nil || gen != 0 {
				t.Errorf("the publisher took its own publication: %d, %v", gen, err)
			}

			gen, err := follower.Follow(ctx)
			if err != nil || gen != 1 {
				t.Fatalf("Follow: %d, %v; want generation 1", gen, err)
			}
			got := liveB.Catalog()
			if got == start || got.Resource("helm_release") == nil || got.Resource("helm_release").Doc == nil {
				t.Fatalf("the follower did not swap to the published catalog (helm_release %+v)", got.Resource("helm_release"))
			}
			<-swappedB
			if gen, err := follower.Follow(ctx); err != nil || gen != 0 {
				t.Errorf("Follow with nothing new: %d, %v", gen, err)
			}
			// A replica starting again on its directory finds it holds the publication.
			restarted, err := crawler.NewService(nil, crawler.Options{CatalogDir: dirB, Shared: sharedStore{b}}, "", func(*catalog.Catalog) {
				t.Error("a restarted replica whose directory holds the publication swapped its catalog")
			})
			if err != nil {
				t.Fatal(err)
			}
			if gen, err := restarted.Follow(ctx); err != nil || gen != 0 {
				t.Errorf("Follow on a directory that holds the publication: %d, %v", gen, err)
			}

			// The next publication reaches the follower through its polling loop.
			followCtx, stop := context.WithCancel(ctx)
			defer stop()
			follower.Start(followCtx)
			publisher2, err := crawler.NewService([]crawler.Target{helm("3.1.3")}, crawler.Options{CatalogDir: dirA, Shared: sharedStore{a}}, "", liveA.Swap)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := publisher2.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if c := <-swappedB; providerVersion(c, "helm") != "3.1.3" {
				t.Errorf("the polling follower swapped to helm %s, want 3.1.3", providerVersion(c, "helm"))
			}
			follower.Stop()
			if gen, err := b.CatalogGeneration(ctx); err != nil || gen != 2 {
				t.Fatalf("published generation %d, %v; want 2", gen, err)
			}

			// A crawl in which a provider fails publishes nothing.
			partial, err := crawler.NewService([]crawler.Target{helm("3.1.4"), {Source: "hashicorp/random", Version: "3.9.1", SchemaFile: filepath.Join(t.TempDir(), "missing.json")}},
				crawler.Options{CatalogDir: dirA, Shared: sharedStore{a}}, "", liveA.Swap)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := partial.Run(ctx); err != nil {
				t.Fatal(err)
			}
			if providerVersion(liveA.Catalog(), "helm") != "3.1.4" {
				t.Errorf("the partial crawl was not swapped in on its own replica")
			}
			if gen, err := b.CatalogGeneration(ctx); err != nil || gen != 2 {
				t.Errorf("after a partial crawl the published generation is %d, %v; want 2", gen, err)
			}

			// A blob changed in the database, its SHA-256 left as published, is refused.
			before := liveB.Catalog()
			var blob []byte
			if err := raw.QueryRowContext(ctx, rebind(dialect, `SELECT blob FROM catalog_publication WHERE id = 1`)).Scan(&blob); err != nil {
				t.Fatal(err)
			}
			blob[len(blob)/2] ^= 0xff
			if _, err := raw.ExecContext(ctx, rebind(dialect, `UPDATE catalog_publication SET generation = generation + 1, blob = ? WHERE id = 1`), blob); err != nil {
				t.Fatal(err)
			}
			fresh := t.TempDir()
			tampered, err := crawler.NewService(nil, crawler.Options{CatalogDir: fresh, Shared: sharedStore{b}}, "", func(*catalog.Catalog) {
				t.Error("a tampered catalog was swapped in")
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := follower.Follow(ctx); err == nil || !strings.Contains(err.Error(), "SHA-256") {
				t.Errorf("Follow of a tampered blob: %v, want a SHA-256 mismatch", err)
			}
			if liveB.Catalog() != before {
				t.Error("the follower's catalog changed after a tampered blob")
			}
			if gen, err := follower.Follow(ctx); err != nil || gen != 0 {
				t.Errorf("Follow after refusing generation 3: %d, %v; want it refused once", gen, err)
			}
			if _, err := tampered.Follow(ctx); err == nil {
				t.Error("a starting replica took a tampered blob")
			}
			if _, err := os.Stat(filepath.Join(fresh, catalog.IndexFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused blob wrote the catalog directory: %v", err)
			}
		})
	}
}

func providerVersion(c *catalog.Catalog, name string) string {
	for _, p := range c.Providers() {
		if p.Name == name {
			return p.Version
		}
	}
	return ""
}

func mustSchema(t *testing.T, file, source string) *tfjson.ProviderSchema {
	t.Helper()
	s, err := crawler.SchemaFromFile(file, source)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func rebind(dialect, q string) string {
	if dialect == "postgres" {
		return strings.ReplaceAll(q, "?", "$1")
	}
	return q
}

// losingLock is the store's crawl lock, lost (as with a connection that died) as soon as it
// is taken.
type losingLock struct{ sharedStore }

func (l losingLock) TryCrawlLock(ctx context.Context, lost func()) (func(), bool, error) {
	release, ok, err := l.sharedStore.TryCrawlLock(ctx, nil)
	if ok {
		lost()
	}
	return release, ok, err
}

// A crawl whose lock is lost stops with ErrLockLost and publishes nothing: another
// replica may hold the lock by then. The lock is released for the next crawl.
func TestCrawlStopsWhenItsLockIsLost(t *testing.T) {
	t.Parallel()
	data := sharedData(t)
	a, b, _ := replicas(t, "sqlite")
	target := crawler.Target{Source: "hashicorp/helm", Version: "3.1.2",
		SchemaFile: filepath.Join(data, "helm", "schema.json"), DocsDir: filepath.Join(data, "helm", "docs")}
	svc, err := crawler.NewService([]crawler.Target{target}, crawler.Options{CatalogDir: t.TempDir(), Shared: losingLock{sharedStore{a}}}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Run(t.Context()); !errors.Is(err, crawler.ErrLockLost) {
		t.Fatalf("a crawl that lost its lock: %v, want ErrLockLost", err)
	}
	if gen, err := a.CatalogGeneration(t.Context()); err != nil || gen != 0 {
		t.Errorf("a crawl that lost its lock published generation %d (%v)", gen, err)
	}
	release, ok, err := b.TryCrawlLock(t.Context(), nil)
	if err != nil || !ok {
		t.Fatalf("the lock after the crawl that lost it: ok=%v, %v", ok, err)
	}
	release()
}
