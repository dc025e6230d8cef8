package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// BlueprintUpgrade is what an import of Terraform written for an older provider version
// held back from a blueprint: the configuration as imported and the upgrade report, both
// opaque to the store, with the version that import made.
type BlueprintUpgrade struct {
	Version   int
	Sources   []byte
	Report    []byte
	CreatedAt time.Time
}

// SaveBlueprintUpgrade keeps u with a blueprint, replacing what an earlier upgrade import
// kept. Sources and Report are each at most MaxDocumentBytes.
func (s *Store) SaveBlueprintUpgrade(ctx context.Context, project, blueprint string, u BlueprintUpgrade) error {
	fail := func(err error) error {
		return fmt.Errorf("saving the upgrade report of blueprint %q in project %q: %w", blueprint, project, err)
	}
	if err := checkDocument(u.Sources); err != nil {
		return fail(err)
	}
	if err := checkDocument(u.Report); err != nil {
		return fail(err)
	}
	if u.Version < 1 {
		return fail(fmt.Errorf("version %d is not a blueprint version", u.Version))
	}
	_, id, err := blueprintID(ctx, s.db, project, blueprint)
	if err != nil {
		return fail(err)
	}
	_, err = s.db.ExecContext(ctx,
		`INSERT INTO blueprint_upgrades (blueprint_id, version, sources, report, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (blueprint_id) DO UPDATE SET version = excluded.version, sources = excluded.sources,
			report = excluded.report, created_at = excluded.created_at`,
		id, u.Version, blob(u.Sources), blob(u.Report), formatTime(s.now()))
	if err != nil {
		return fail(err)
	}
	return nil
}

// BlueprintUpgrade reads what an upgrade import kept with a blueprint; ErrNotFound when
// there is nothing (no upgrade import, or everything was fixed).
func (s *Store) BlueprintUpgrade(ctx context.Context, project, blueprint string) (BlueprintUpgrade, error) {
	fail := func(err error) (BlueprintUpgrade, error) {
		return BlueprintUpgrade{}, fmt.Errorf("reading the upgrade report of blueprint %q in project %q: %w", blueprint, project, err)
	}
	_, id, err := blueprintID(ctx, s.db, project, blueprint)
	if err != nil {
		return fail(err)
	}
	var u BlueprintUpgrade
	err = s.db.QueryRowContext(ctx,
		`SELECT version, sources, report, created_at FROM blueprint_upgrades WHERE blueprint_id = ?`, id).
		Scan(&u.Version, &u.Sources, &u.Report, timeColumn{&u.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return fail(errorf(ErrNotFound, err, "no upgrade report"))
	}
	if err != nil {
		return fail(err)
	}
	u.Sources, u.Report = bytes.Clone(u.Sources), bytes.Clone(u.Report)
	return u, nil
}

// DeleteBlueprintUpgrade removes what an upgrade import kept with a blueprint; nothing to
// remove is not an error.
func (s *Store) DeleteBlueprintUpgrade(ctx context.Context, project, blueprint string) error {
	_, id, err := blueprintID(ctx, s.db, project, blueprint)
	if err == nil {
		_, err = s.db.ExecContext(ctx, `DELETE FROM blueprint_upgrades WHERE blueprint_id = ?`, id)
	}
	if err != nil {
		return fmt.Errorf("deleting the upgrade report of blueprint %q in project %q: %w", blueprint, project, err)
	}
	return nil
}
