package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Blueprint is a reusable, versioned composition. Its content lives in its
// versions; LatestVersion and UpdatedAt come from the newest one.
type Blueprint struct {
	ID            int64
	ProjectID     int64
	Name          string
	Description   string
	LatestVersion int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// DraftHead is where the editor's draft stands, read with LatestVersion: what the
	// editor shows when there is no draft.
	DraftHead DraftHead
	// HasDraft says the editor holds a draft of it that is not saved as a version.
	HasDraft bool
}

// BlueprintVersion is one immutable saved state of a blueprint. Document is
// opaque to the store; SHA256 is the hex digest of Document.
type BlueprintVersion struct {
	BlueprintID int64
	Version     int
	Document    []byte
	SHA256      string
	Message     string
	CreatedAt   time.Time
}

// CreateBlueprint creates a blueprint in project together with its version
// 1. Both are written in one transaction: on any error neither exists.
func (s *Store) CreateBlueprint(ctx context.Context, project, name, description string, document []byte, message string) (Blueprint, BlueprintVersion, error) {
	fail := func(err error) (Blueprint, BlueprintVersion, error) {
		return Blueprint{}, BlueprintVersion{}, fmt.Errorf("creating blueprint %q in project %q: %w", name, project, err)
	}
	if err := ValidName(name); err != nil {
		return Blueprint{}, BlueprintVersion{}, fmt.Errorf("creating blueprint in project %q: %w", project, err)
	}
	if err := checkDocument(document); err != nil {
		return fail(err)
	}
	if err := checkText("description", description); err != nil {
		return fail(err)
	}
	if err := checkText("message", message); err != nil {
		return fail(err)
	}
	now := s.now()
	b := Blueprint{Name: name, Description: description, LatestVersion: 1, CreatedAt: now, UpdatedAt: now}
	v := BlueprintVersion{
		Version:   1,
		Document:  bytes.Clone(blob(document)),
		SHA256:    sha256Hex(document),
		Message:   message,
		CreatedAt: now,
	}
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		if b.ProjectID, err = projectID(ctx, tx, project); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx,
			`INSERT INTO blueprints (project_id, name, description, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			b.ProjectID, b.Name, b.Description, formatTime(b.CreatedAt)).Scan(&b.ID)
		if isUnique(err) {
			return errorf(ErrConflict, err, "a blueprint with that name already exists")
		}
		if err != nil {
			return err
		}
		v.BlueprintID = b.ID
		return insertVersion(ctx, tx, v)
	})
	if err != nil {
		return fail(err)
	}
	return b, v, nil
}

// AddBlueprintVersion saves document as the blueprint's next version; while
// the blueprint has no draft, that moves its DraftHead on. Saving the same
// document as the latest version again is a no-op that
// returns the latest version, so a double-clicked Save does not create
// history. Concurrent callers each get their own version number, with no
// gaps: the transaction holds SQLite's write lock from its start.
func (s *Store) AddBlueprintVersion(ctx context.Context, project, blueprint string, document []byte, message string) (BlueprintVersion, error) {
	fail := func(err error) (BlueprintVersion, error) {
		return BlueprintVersion{}, fmt.Errorf("adding a version to blueprint %q in project %q: %w", blueprint, project, err)
	}
	if err := checkDocument(document); err != nil {
		return fail(err)
	}
	if err := checkText("message", message); err != nil {
		return fail(err)
	}
	var v BlueprintVersion
	err := s.inTx(ctx, func(tx *txn) error {
		_, id, err := blueprintID(ctx, tx, project, blueprint)
		if err != nil {
			return err
		}
		var latest BlueprintVersion
		err = tx.QueryRowContext(ctx,
			`SELECT blueprint_id, version, sha256, message, created_at FROM blueprint_versions
			WHERE blueprint_id = ? ORDER BY version DESC LIMIT 1`, id).
			Scan(&latest.BlueprintID, &latest.Version, &latest.SHA256, &latest.Message, timeColumn{&latest.CreatedAt})
		if err != nil {
			return fmt.Errorf("reading latest version: %w", err)
		}
		sum := sha256Hex(document)
		if sum == latest.SHA256 {
			v = latest
			v.Document = bytes.Clone(blob(document))
			return nil
		}
		v = BlueprintVersion{
			BlueprintID: id,
			Version:     latest.Version + 1,
			Document:    bytes.Clone(blob(document)),
			SHA256:      sum,
			Message:     message,
			CreatedAt:   s.now(),
		}
		if err := insertVersion(ctx, tx, v); err != nil {
			return err
		}
		// Without a draft the editor shows the latest version: a form on the one before
		// is stale now. A draft is not changed by a new version.
		var drafts int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM blueprint_drafts WHERE blueprint_id = ?`, id).Scan(&drafts); err != nil {
			return err
		}
		if drafts > 0 {
			return nil
		}
		head, err := draftHead(ctx, tx, id)
		if err != nil {
			return err
		}
		return setDraftHead(ctx, tx, id, head.reset())
	})
	if err != nil {
		return fail(err)
	}
	return v, nil
}

func insertVersion(ctx context.Context, tx *txn, v BlueprintVersion) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO blueprint_versions (blueprint_id, version, document, sha256, message, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		v.BlueprintID, v.Version, blob(v.Document), v.SHA256, v.Message, formatTime(v.CreatedAt))
	if err != nil {
		return fmt.Errorf("writing version %d: %w", v.Version, err)
	}
	return nil
}

// blueprintSelect reads blueprints with their latest version. Every
// blueprint has a version 1 (CreateBlueprint writes both at once, and
// versions cannot be deleted), so the inner join drops nothing.
const blueprintSelect = `SELECT b.id, b.project_id, b.name, b.description, v.version, b.created_at, v.created_at,
		b.draft_revision, b.draft_writer, b.draft_writer_base,
		EXISTS (SELECT 1 FROM blueprint_drafts d WHERE d.blueprint_id = b.id)
	FROM blueprints b
	JOIN blueprint_versions v ON v.blueprint_id = b.id
		AND v.version = (SELECT max(version) FROM blueprint_versions WHERE blueprint_id = b.id)`

func scanBlueprint(row interface{ Scan(...any) error }) (Blueprint, error) {
	var b Blueprint
	err := row.Scan(&b.ID, &b.ProjectID, &b.Name, &b.Description, &b.LatestVersion,
		timeColumn{&b.CreatedAt}, timeColumn{&b.UpdatedAt},
		&b.DraftHead.Revision, &b.DraftHead.Writer, &b.DraftHead.WriterBase, &b.HasDraft)
	return b, err
}

// Blueprints lists a project's blueprints, sorted by name.
func (s *Store) Blueprints(ctx context.Context, project string) ([]Blueprint, error) {
	pid, err := projectID(ctx, s.db, project)
	if err != nil {
		return nil, fmt.Errorf("listing blueprints in project %q: %w", project, err)
	}
	rows, err := s.db.QueryContext(ctx, blueprintSelect+` WHERE b.project_id = ? ORDER BY b.name`, pid)
	if err != nil {
		return nil, fmt.Errorf("listing blueprints in project %q: %w", project, err)
	}
	defer rows.Close()
	var bs []Blueprint
	for rows.Next() {
		b, err := scanBlueprint(rows)
		if err != nil {
			return nil, fmt.Errorf("listing blueprints in project %q: %w", project, err)
		}
		bs = append(bs, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing blueprints in project %q: %w", project, err)
	}
	return bs, nil
}

// Blueprint returns the named blueprint of project, or ErrNotFound.
func (s *Store) Blueprint(ctx context.Context, project, name string) (Blueprint, error) {
	b, err := s.blueprint(ctx, project, name)
	if err != nil {
		return Blueprint{}, fmt.Errorf("reading blueprint %q in project %q: %w", name, project, err)
	}
	return b, nil
}

func (s *Store) blueprint(ctx context.Context, project, name string) (Blueprint, error) {
	pid, err := projectID(ctx, s.db, project)
	if err != nil {
		return Blueprint{}, err
	}
	b, err := scanBlueprint(s.db.QueryRowContext(ctx, blueprintSelect+` WHERE b.project_id = ? AND b.name = ?`, pid, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Blueprint{}, errorf(ErrNotFound, err, "no such blueprint")
	}
	return b, err
}

// BlueprintVersions lists a blueprint's versions, newest first, without
// their documents.
func (s *Store) BlueprintVersions(ctx context.Context, project, name string) ([]BlueprintVersion, error) {
	fail := func(err error) ([]BlueprintVersion, error) {
		return nil, fmt.Errorf("listing versions of blueprint %q in project %q: %w", name, project, err)
	}
	_, id, err := blueprintID(ctx, s.db, project, name)
	if err != nil {
		return fail(err)
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT blueprint_id, version, sha256, message, created_at FROM blueprint_versions
		WHERE blueprint_id = ? ORDER BY version DESC`, id)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	var vs []BlueprintVersion
	for rows.Next() {
		var v BlueprintVersion
		if err := rows.Scan(&v.BlueprintID, &v.Version, &v.SHA256, &v.Message, timeColumn{&v.CreatedAt}); err != nil {
			return fail(err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	return vs, nil
}

// BlueprintVersion returns one version of a blueprint with its document, or
// ErrNotFound.
func (s *Store) BlueprintVersion(ctx context.Context, project, name string, version int) (BlueprintVersion, error) {
	fail := func(err error) (BlueprintVersion, error) {
		return BlueprintVersion{}, fmt.Errorf("reading version %d of blueprint %q in project %q: %w", version, name, project, err)
	}
	_, id, err := blueprintID(ctx, s.db, project, name)
	if err != nil {
		return fail(err)
	}
	var v BlueprintVersion
	err = s.db.QueryRowContext(ctx,
		`SELECT blueprint_id, version, document, sha256, message, created_at FROM blueprint_versions
		WHERE blueprint_id = ? AND version = ?`, id, version).
		Scan(&v.BlueprintID, &v.Version, &v.Document, &v.SHA256, &v.Message, timeColumn{&v.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "no such version")
	}
	if err != nil {
		return fail(err)
	}
	return v, nil
}

// blueprintID looks up a blueprint's project id and id; a missing project
// or blueprint is ErrNotFound, told apart by one query.
func blueprintID(ctx context.Context, q querier, project, name string) (pid, id int64, err error) {
	var bid sql.NullInt64
	err = q.QueryRowContext(ctx,
		`SELECT p.id, b.id FROM projects p LEFT JOIN blueprints b ON b.project_id = p.id AND b.name = ?
		WHERE p.name = ?`, name, project).Scan(&pid, &bid)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, 0, errorf(ErrNotFound, err, "no such project")
	case err != nil:
		return 0, 0, err
	case !bid.Valid:
		return 0, 0, errorf(ErrNotFound, sql.ErrNoRows, "no such blueprint")
	}
	return pid, bid.Int64, nil
}
