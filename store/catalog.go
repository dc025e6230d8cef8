package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MaxCatalogBytes bounds a published catalog's blob: 64 MiB. A crawled catalog (the newest
// version of each provider, schemas gzipped) is a few MB.
const MaxCatalogBytes = 64 << 20

// PublishedCatalog is the catalog a crawl published for every replica of the server.
type PublishedCatalog struct {
	// Generation counts publications, from 1.
	Generation int64
	// SHA256 is the hex SHA-256 of Blob as it was published; a reader checks Blob against it.
	SHA256      string
	PublishedAt time.Time
	// Blob is the catalog's files, as the catalog package packs them.
	Blob []byte
}

// PublishCatalog stores blob as the published catalog under the next generation, replacing
// the previous one, and returns the generation. A blob equal to the one published (the same
// SHA-256) is not published again: its generation is returned, so replicas do not load the
// same catalog twice.
func (s *Store) PublishCatalog(ctx context.Context, blob []byte) (int64, error) {
	if len(blob) > MaxCatalogBytes {
		return 0, errorf(ErrTooLarge, nil, "publishing the catalog: it is %d bytes; the limit is %d bytes (64 MiB)", len(blob), MaxCatalogBytes)
	}
	sum := sha256Hex(blob)
	var gen int64
	err := s.inTx(ctx, func(tx *txn) error {
		var cur int64
		var curSum string
		err := tx.QueryRowContext(ctx, `SELECT generation, sha256 FROM catalog_publication WHERE id = 1`).Scan(&cur, &curSum)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			gen = 1
			_, err = tx.ExecContext(ctx, `INSERT INTO catalog_publication (id, generation, sha256, published_at, size, blob) VALUES (1, ?, ?, ?, ?, ?)`,
				gen, sum, formatTime(s.now()), len(blob), blob)
			return err
		case err != nil:
			return err
		case curSum == sum:
			gen = cur
			return nil
		}
		gen = cur + 1
		_, err = tx.ExecContext(ctx, `UPDATE catalog_publication SET generation = ?, sha256 = ?, published_at = ?, size = ?, blob = ? WHERE id = 1`,
			gen, sum, formatTime(s.now()), len(blob), blob)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("publishing the catalog: %w", err)
	}
	return gen, nil
}

// CatalogGeneration is the generation of the published catalog, 0 when none was published.
// It reads one small row, for replicas that poll it.
func (s *Store) CatalogGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := s.db.QueryRowContext(ctx, `SELECT generation FROM catalog_publication WHERE id = 1`).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading the published catalog's generation: %w", err)
	}
	return gen, nil
}

// PublishedCatalog reads the published catalog; ErrNotFound when none was published. The
// blob is returned as stored: checking it against SHA256 is the reader's part.
func (s *Store) PublishedCatalog(ctx context.Context) (PublishedCatalog, error) {
	var pc PublishedCatalog
	err := s.db.QueryRowContext(ctx, `SELECT generation, sha256, published_at, blob FROM catalog_publication WHERE id = 1`).
		Scan(&pc.Generation, &pc.SHA256, timeColumn{&pc.PublishedAt}, &pc.Blob)
	if errors.Is(err, sql.ErrNoRows) {
		return PublishedCatalog{}, errorf(ErrNotFound, nil, "no catalog was published")
	}
	if err != nil {
		return PublishedCatalog{}, fmt.Errorf("reading the published catalog: %w", err)
	}
	return pc, nil
}
