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
	Head        DraftHead
}

// DraftHead is where a blueprint's draft stands: how many times what the editor shows of the
// blueprint has changed, and who made the last draft write. Blueprint.DraftHead has it when
// there is no draft.
type DraftHead struct {
	// Revision counts every draft write, discard and commit, and every new version while
	// there is no draft. It only grows, across discards and commits.
	Revision int64
	// Writer names who made the last draft write; "" after a discard, a commit or a new
	// version, and for a write that names nobody.
	Writer string
	// WriterBase is the revision since which every draft write was Writer's.
	WriterBase int64
}

// AnyRevision is the Seen of a DraftWrite that depends on nothing its author saw, such as
// adding a resource: it never conflicts.
const AnyRevision int64 = -1

// DraftWrite is a change to a blueprint's draft on behalf of an author.
type DraftWrite struct {
	// Writer names the author; the editor derives it from their session. "" is nobody, and
	// never counts as anyone's own earlier write.
	Writer string
	// Seen is the revision the author's form shows, or AnyRevision.
	Seen int64
	// Read is, for SaveDraft, the revision the new document was made from: the save is
	// ErrConflict when the draft has changed since, and the caller reads it again and
	// reapplies its change. Ignored by DiscardDraft and CommitDraft.
	Read int64
}

// Admits reports whether w may change a draft at h without losing anyone's work: its author
// has seen the current revision, or every write since the revision they saw is their own.
// The second case is the editor's live preview: htmx drops the answer of a request that a
// newer one replaces, although the request may have reached the server and saved, so the
// author's form can be a few revisions behind their own writes. A form from before
// WriterBase, or from before another author's write, is stale.
func (h DraftHead) Admits(w DraftWrite) bool {
	if w.Seen == AnyRevision || w.Seen == h.Revision {
		return true
	}
	return w.Writer != "" && w.Writer == h.Writer && w.Seen >= h.WriterBase && w.Seen < h.Revision
}

// after is the head once w has written the draft. A write from the current revision starts
// the writer's run afresh (older forms of theirs, which can only be requests whose answers
// were dropped, are stale from now on); one admitted as the writer's own goes on with it.
func (h DraftHead) after(w DraftWrite) DraftHead {
	next := DraftHead{Revision: h.Revision + 1, Writer: w.Writer, WriterBase: h.Revision}
	if w.Writer != "" && w.Writer == h.Writer && w.Seen != h.Revision {
		next.WriterBase = h.WriterBase
	}
	return next
}

// reset is the head after a discard, a commit or a new version: nobody's writes go on.
func (h DraftHead) reset() DraftHead {
	return DraftHead{Revision: h.Revision + 1, WriterBase: h.Revision + 1}
}

// errStale is why a draft write is refused: ErrConflict, with what the editor says.
func errStale() error {
	return errorf(ErrConflict, errors.New("stale draft revision"), "the draft has changed since it was read")
}

// draftHead reads a blueprint's draft head in q (a transaction, for a write).
func draftHead(ctx context.Context, q querier, id int64) (DraftHead, error) {
	var h DraftHead
	err := q.QueryRowContext(ctx, `SELECT draft_revision, draft_writer, draft_writer_base FROM blueprints WHERE id = ?`, id).
		Scan(&h.Revision, &h.Writer, &h.WriterBase)
	if err != nil {
		return h, fmt.Errorf("reading the draft revision: %w", err)
	}
	return h, nil
}

// setDraftHead writes a blueprint's draft head.
func setDraftHead(ctx context.Context, tx *txn, id int64, h DraftHead) error {
	_, err := tx.ExecContext(ctx, `UPDATE blueprints SET draft_revision = ?, draft_writer = ?, draft_writer_base = ? WHERE id = ?`,
		h.Revision, h.Writer, h.WriterBase, id)
	if err != nil {
		return fmt.Errorf("writing the draft revision: %w", err)
	}
	return nil
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
	// One statement, so the head is the document's.
	err = s.db.QueryRowContext(ctx,
		`SELECT d.base_version, d.document, d.updated_at, b.draft_revision, b.draft_writer, b.draft_writer_base
		FROM blueprint_drafts d JOIN blueprints b ON b.id = d.blueprint_id WHERE d.blueprint_id = ?`, id).
		Scan(&d.BaseVersion, &d.Document, timeColumn{&d.UpdatedAt}, &d.Head.Revision, &d.Head.Writer, &d.Head.WriterBase)
	if errors.Is(err, sql.ErrNoRows) {
		err = errorf(ErrNotFound, err, "the blueprint has no draft")
	}
	if err != nil {
		return fail(err)
	}
	return d, nil
}

// SaveDraft writes document as the blueprint's draft, replacing any draft
// it had, on behalf of w. It is ErrConflict, and nothing is written, when
// the draft's revision is no longer w.Read (someone wrote in between: read
// it again and reapply the change) or the head does not admit w (its
// author's view is stale). baseVersion must be one of the blueprint's
// versions; otherwise, or when the project or blueprint does not exist, it
// is ErrNotFound.
func (s *Store) SaveDraft(ctx context.Context, project, blueprint string, baseVersion int, document []byte, w DraftWrite) (Draft, error) {
	fail := func(err error) (Draft, error) {
		return Draft{}, fmt.Errorf("saving the draft of blueprint %q in project %q: %w", blueprint, project, err)
	}
	if err := checkDocument(document); err != nil {
		return fail(err)
	}
	d := Draft{BaseVersion: baseVersion, Document: bytes.Clone(blob(document)), UpdatedAt: s.now()}
	err := s.inTx(ctx, func(tx *txn) error {
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
		head, err := draftHead(ctx, tx, d.BlueprintID)
		if err != nil {
			return err
		}
		if head.Revision != w.Read || !head.Admits(w) {
			return errStale()
		}
		d.Head = head.after(w)
		if err := setDraftHead(ctx, tx, d.BlueprintID, d.Head); err != nil {
			return err
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

// DiscardDraft deletes the blueprint's draft on behalf of w: ErrConflict,
// and the draft kept, when the head does not admit w, since the draft may
// hold someone's work its author has not seen. A blueprint without a draft
// is left as it is; a blueprint that does not exist is ErrNotFound.
func (s *Store) DiscardDraft(ctx context.Context, project, blueprint string, w DraftWrite) error {
	err := s.inTx(ctx, func(tx *txn) error {
		_, id, err := blueprintID(ctx, tx, project, blueprint)
		if err != nil {
			return err
		}
		head, err := draftHead(ctx, tx, id)
		if err != nil {
			return err
		}
		if !head.Admits(w) {
			return errStale()
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM blueprint_drafts WHERE blueprint_id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return setDraftHead(ctx, tx, id, head.reset())
	})
	if err != nil {
		return fmt.Errorf("discarding the draft of blueprint %q in project %q: %w", blueprint, project, err)
	}
	return nil
}

// CommitDraft turns the blueprint's draft into its next version, with
// message, and deletes the draft, in one transaction, on behalf of w: it
// is ErrConflict, and the draft kept, when the head does not admit w, since
// the version would hold changes its author has not seen. A draft whose
// document is byte for byte the latest version's makes no version: the
// draft is deleted and the latest version returned, as AddBlueprintVersion
// does for a repeated Save. No draft is ErrNotFound.
//
// The next number is the latest version plus one, whatever the draft's
// base version: the transaction holds SQLite's write lock from its start,
// so commits and AddBlueprintVersion calls racing on one blueprint each get
// their own number, with no gaps.
func (s *Store) CommitDraft(ctx context.Context, project, blueprint, message string, w DraftWrite) (BlueprintVersion, error) {
	fail := func(err error) (BlueprintVersion, error) {
		return BlueprintVersion{}, fmt.Errorf("committing the draft of blueprint %q in project %q: %w", blueprint, project, err)
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
		head, err := draftHead(ctx, tx, id)
		if err != nil {
			return err
		}
		if !head.Admits(w) {
			return errStale()
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
		return setDraftHead(ctx, tx, id, head.reset())
	})
	if err != nil {
		return fail(err)
	}
	return v, nil
}
