package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Draft is a blueprint's working copy in the editor.
type Draft struct {
	BlueprintID int64
	BaseVersion int    // the version the draft started from
	Document    []byte // opaque to the store, like BlueprintVersion.Document
	UpdatedAt   time.Time
}

// Draft returns the blueprint's draft. A blueprint without one, or one
// that does not exist, is ErrNotFound.
func (s *Store) Draft(ctx context.Context, project, blueprint string) (Draft, error) {
	fail := func(err error) (Draft, error) {
		return Draft{}, fmt.Errorf("reading the draft of blueprint %q in project %q: %w", blueprint, project, err)
	}
	_, id, err := blueprintID(ctx, s.db, project, blueprint)
	if err != nil {
		return fail(err)
	}
	d := Draft{BlueprintID: id}
	err = s.db.QueryRowContext(ctx,
		`SELECT base_version, document, updated_at FROM blueprint_drafts WHERE blueprint_id = ?`, id).
		Scan(&d.BaseVersion, &d.Document, timeColumn{&d.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "the blueprint has no draft")
	}
	if err != nil {
		return fail(err)
	}
	return d, nil
}

// SaveDraft writes document as the blueprint's draft, replacing any draft
// it had. baseVersion must be one of the blueprint's versions; otherwise,
// or when the project or blueprint does not exist, it is ErrNotFound.
func (s *Store) SaveDraft(ctx context.Context, project, blueprint string, baseVersion int, document []byte) (Draft, error) {
	fail := func(err error) (Draft, error) {
		return Draft{}, fmt.Errorf("saving the draft of blueprint %q in project %q: %w", blueprint, project, err)
	}
	if err := checkDocument(document); err != nil {
		return fail(err)
	}
	d := Draft{BaseVersion: baseVersion, Document: bytes.Clone(blob(document)), UpdatedAt: s.now()}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if _, d.BlueprintID, err = blueprintID(ctx, tx, project, blueprint); err != nil {
			return err
		}
		// Checked here rather than left to the foreign key so that the
		// caller gets ErrNotFound and a message that names the version.
		var n int
		err = tx.QueryRowContext(ctx,
			`SELECT count(*) FROM blueprint_versions WHERE blueprint_id = ? AND version = ?`,
			d.BlueprintID, baseVersion).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			return errorf(ErrNotFound, sql.ErrNoRows, "no version %d to base the draft on", baseVersion)
		}
		_, err = tx.ExecContext(ctx,
			`INSERT INTO blueprint_drafts (blueprint_id, base_version, document, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (blueprint_id) DO UPDATE SET
				base_version = excluded.base_version,
				document = excluded.document,
				updated_at = excluded.updated_at`,
			d.BlueprintID, d.BaseVersion, d.Document, formatTime(d.UpdatedAt))
		return err
	})
	if err != nil {
		return fail(err)
	}
	return d, nil
}

// DiscardDraft deletes the blueprint's draft. A blueprint without a draft
// is left as it is; a blueprint that does not exist is ErrNotFound.
func (s *Store) DiscardDraft(ctx context.Context, project, blueprint string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, id, err := blueprintID(ctx, tx, project, blueprint)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM blueprint_drafts WHERE blueprint_id = ?`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("discarding the draft of blueprint %q in project %q: %w", blueprint, project, err)
	}
	return nil
}

// CommitDraft turns the blueprint's draft into its next version, with
// message, and deletes the draft, in one transaction. A draft whose
// document is byte for byte the latest version's makes no version: the
// draft is deleted and the latest version returned, as AddBlueprintVersion
// does for a repeated Save. No draft is ErrNotFound.
//
// The next number is the latest version plus one, whatever the draft's
// base version: the transaction holds SQLite's write lock from its start,
// so commits and AddBlueprintVersion calls racing on one blueprint each get
// their own number, with no gaps.
func (s *Store) CommitDraft(ctx context.Context, project, blueprint, message string) (BlueprintVersion, error) {
	fail := func(err error) (BlueprintVersion, error) {
		return BlueprintVersion{}, fmt.Errorf("committing the draft of blueprint %q in project %q: %w", blueprint, project, err)
	}
	if err := checkText("message", message); err != nil {
		return fail(err)
	}
	var v BlueprintVersion
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, id, err := blueprintID(ctx, tx, project, blueprint)
		if err != nil {
			return err
		}
		var document []byte
		err = tx.QueryRowContext(ctx, `SELECT document FROM blueprint_drafts WHERE blueprint_id = ?`, id).Scan(&document)
		if errors.Is(err, sql.ErrNoRows) {
			return errorf(ErrNotFound, err, "the blueprint has no draft")
		}
		if err != nil {
			return fmt.Errorf("reading the draft: %w", err)
		}
		var latest BlueprintVersion
		err = tx.QueryRowContext(ctx,
			`SELECT blueprint_id, version, document, sha256, message, created_at FROM blueprint_versions
			WHERE blueprint_id = ? ORDER BY version DESC LIMIT 1`, id).
			Scan(&latest.BlueprintID, &latest.Version, &latest.Document, &latest.SHA256, &latest.Message, timeColumn{&latest.CreatedAt})
		if err != nil {
			return fmt.Errorf("reading latest version: %w", err)
		}
		if bytes.Equal(document, latest.Document) {
			v = latest
		} else {
			v = BlueprintVersion{
				BlueprintID: id,
				Version:     latest.Version + 1,
				Document:    blob(document),
				SHA256:      sha256Hex(document),
				Message:     message,
				CreatedAt:   s.now(),
			}
			if err := insertVersion(ctx, tx, v); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM blueprint_drafts WHERE blueprint_id = ?`, id); err != nil {
			return fmt.Errorf("deleting the draft: %w", err)
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	return v, nil
}
