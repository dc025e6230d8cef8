package crawler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/cloudoven/cloudoven/catalog"
)

// DefaultFollowEvery is how often a started Service checks for a catalog another replica
// published, when Options.FollowEvery is 0.
const DefaultFollowEvery = 5 * time.Second

// lockTimeout bounds the wait for a connection to take the crawl lock with.
const lockTimeout = 10 * time.Second

// Shared is what a Service needs of the database a server's replicas share (the store,
// through a small adapter in cmd/cloudoven).
type Shared interface {
	// TryCrawlLock takes the lock that one crawl at a time holds across replicas; ok is
	// false when another crawl holds it. release gives it back. lost is called, once, if
	// the lock is lost before release (its database connection died): the crawl stops.
	TryCrawlLock(ctx context.Context, lost func()) (release func(), ok bool, err error)
	// PublishCatalog stores a packed catalog (catalog.Pack) as the next generation.
	PublishCatalog(ctx context.Context, blob []byte) (generation int64, err error)
	// CatalogGeneration is the published catalog's generation, 0 when none; it is polled.
	CatalogGeneration(ctx context.Context) (int64, error)
	// PublishedCatalog reads the published catalog.
	PublishedCatalog(ctx context.Context) (Published, error)
}

// Published is a catalog one replica published for the others.
type Published struct {
	Generation int64
	// SHA256 is the hex SHA-256 of Blob, as the publisher computed it.
	SHA256 string
	Blob   []byte
}

// ErrLockLost ends a crawl whose crawl lock was lost (its database connection died), so
// that another replica's crawl never runs beside it.
var ErrLockLost = errors.New("the crawl lock was lost with its database connection; the crawl stopped")

// lock takes the crawl lock when replicas share a database; ErrRunning when another
// replica's crawl holds it. lost closes if the lock is lost before release.
func (s *Service) lock(ctx context.Context) (release func(), lost <-chan struct{}, err error) {
	if s.opts.Shared == nil {
		return func() {}, nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, lockTimeout)
	defer cancel()
	ch := make(chan struct{})
	var once sync.Once
	release, ok, err := s.opts.Shared.TryCrawlLock(ctx, func() { once.Do(func() { close(ch) }) })
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, ErrRunning
	}
	return release, ch, nil
}

// publish publishes the crawled catalog for the other replicas, unless a provider could
// not be crawled: a partial crawl stays on the replica that ran it, as on a single server.
// The caller holds dirMu, so this replica's Follow does not take its own publication.
func (s *Service) publish(ctx context.Context, res Result) error {
	for _, p := range res.Providers {
		if p.Err != nil {
			s.logger.Warn("crawled catalog not published: a provider was not crawled", "provider", p.Source)
			return nil
		}
	}
	blob, err := catalog.Pack(s.opts.CatalogDir)
	if err != nil {
		return fmt.Errorf("publishing the crawled catalog: %w", err)
	}
	gen, err := s.opts.Shared.PublishCatalog(ctx, blob)
	if err != nil {
		return err
	}
	s.seen.Store(gen)
	s.logger.Info("catalog published", "generation", gen, "bytes", len(blob))
	return nil
}

// Follow takes the catalog another replica published, when its generation moved since
// this replica last took, refused or published one: it checks the blob against its
// SHA-256, installs it into the catalog directory (catalog.Install), loads the directory as
// a crawl's result is loaded and hands the catalog to the service's OnCatalog. It returns
// the generation it took, 0 when there was nothing to take (nothing published, nothing
// new, the directory already holds it, or a crawl is under way on this replica, which
// publishes what it makes). A blob that fails a check is refused, once, and the current
// catalog stays. Without Options.Shared it does nothing.
func (s *Service) Follow(ctx context.Context) (int64, error) {
	sh := s.opts.Shared
	if sh == nil || !s.dirMu.TryLock() {
		return 0, nil
	}
	defer s.dirMu.Unlock()
	gen, err := sh.CatalogGeneration(ctx)
	if err != nil {
		return 0, err
	}
	if gen == 0 || gen == s.seen.Load() {
		return 0, nil
	}
	pub, err := sh.PublishedCatalog(ctx)
	if err != nil {
		return 0, err
	}
	// Remembered whatever comes of it, so a refused blob is reported once rather than at
	// every check; the next publication is taken as usual.
	s.seen.Store(pub.Generation)
	where := fmt.Sprintf("taking the published catalog (generation %d)", pub.Generation)
	sum := sha256.Sum256(pub.Blob)
	if got := hex.EncodeToString(sum[:]); got != pub.SHA256 {
		return 0, fmt.Errorf("%s: its SHA-256 is %s, the publication says %s; the current catalog stays", where, got, pub.SHA256)
	}
	changed, err := catalog.Install(s.opts.CatalogDir, pub.Blob)
	if err != nil {
		return 0, fmt.Errorf("%s: %w; the current catalog stays", where, err)
	}
	if !changed {
		return 0, nil
	}
	cat, err := catalog.Load(os.DirFS(s.opts.CatalogDir))
	if err != nil {
		return 0, fmt.Errorf("%s: loading: %w; the current catalog stays", where, err)
	}
	if s.onCatalog != nil {
		s.onCatalog(cat)
	}
	return pub.Generation, nil
}

// follow runs Follow every FollowEvery until ctx ends.
func (s *Service) follow(ctx context.Context) {
	every := s.opts.FollowEvery
	if every <= 0 {
		every = DefaultFollowEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		gen, err := s.Follow(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Error("published catalog not taken", "err", err)
		case gen > 0:
			s.logger.Info("published catalog taken", "generation", gen)
		}
	}
}
