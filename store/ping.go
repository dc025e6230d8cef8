package store

import (
	"context"
	"fmt"
)

// Ping runs a trivial query, so it fails when the database does not answer (the readiness
// check asks it), not only when no connection can be opened.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("pinging the database: %w", err)
	}
	return nil
}
