package store

import (
	"context"
	"errors"
	"testing"
)

func TestDraftHeadAdmits(t *testing.T) {
	t.Parallel()
	// alice wrote revisions 5, 6 and 7 from a form that showed 4.
	h := DraftHead{Revision: 7, Writer: "alice", WriterBase: 4}
	for _, tt := range []struct {
		name string
		w    DraftWrite
		want bool
	}{
		{"anyone on the current revision", DraftWrite{Writer: "bob", Seen: 7}, true},
		{"a write that depends on nothing seen", DraftWrite{Writer: "bob", Seen: AnyRevision}, true},
		{"the writer behind only their own writes", DraftWrite{Writer: "alice", Seen: 4}, true},
		{"the writer between their own writes", DraftWrite{Writer: "alice", Seen: 6}, true},
		{"the writer from before their run", DraftWrite{Writer: "alice", Seen: 3}, false},
		{"someone else behind", DraftWrite{Writer: "bob", Seen: 6}, false},
		{"nobody behind, though the last writer was nobody too", DraftWrite{Seen: 6}, false},
		{"a revision that does not exist yet", DraftWrite{Writer: "alice", Seen: 8}, false},
	} {
		if got := h.Admits(tt.w); got != tt.want {
			t.Errorf("%s: Admits(%+v) = %t, want %t", tt.name, tt.w, got, tt.want)
		}
	}
	if (DraftHead{Revision: 3}).Admits(DraftWrite{Seen: 2}) {
		t.Error("a head without a writer admits a stale write that names nobody")
	}
}

// draftOf reads blueprint aks's draft document and head.
func draftOf(t *testing.T, s *Store) Draft {
	t.Helper()
	d, err := s.Draft(t.Context(), "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// headOf reads blueprint aks's draft head, with or without a draft.
func headOf(t *testing.T, s *Store) DraftHead {
	t.Helper()
	b, err := s.Blueprint(t.Context(), "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	return b.DraftHead
}

// TestDraftWritesAreCheckedAgainstTheRevision: a write from a stale view of the draft is
// ErrConflict and changes nothing; an author's writes behind only their own go in; the
// revision never comes back to an old number, across discards, commits and new versions.
func TestDraftWritesAreCheckedAgainstTheRevision(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	write := func(who string, seen int64, d []byte) error {
		h := headOf(t, s)
		_, err := s.SaveDraft(ctx, "payments", "aks", 1, d, DraftWrite{Writer: who, Seen: seen, Read: h.Revision})
		return err
	}
	start := headOf(t, s).Revision

	// alice and bob open the editor; alice types three times, her answers dropped.
	for i := range 3 {
		if err := write("alice", start, doc(10+i)); err != nil {
			t.Fatalf("alice's write %d from revision %d: %v", i+1, start, err)
		}
	}
	if err := write("bob", start, doc(20)); !errors.Is(err, ErrConflict) {
		t.Fatalf("bob's write from before alice's: %v, want ErrConflict", err)
	}
	if got := draftOf(t, s); string(got.Document) != string(doc(12)) || got.Head.Revision != start+3 {
		t.Errorf("after the stale write the draft is %s at %d, want alice's last at %d", got.Document, got.Head.Revision, start+3)
	}

	// A save whose document was made from an older read is refused even when its author
	// is up to date: someone wrote in between.
	h := headOf(t, s)
	_, err := s.SaveDraft(ctx, "payments", "aks", 1, doc(21), DraftWrite{Writer: "bob", Seen: h.Revision, Read: h.Revision - 1})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("a save made from an older read: %v, want ErrConflict", err)
	}

	// alice's form catches up; a request of hers from before that is stale now.
	if err := write("alice", h.Revision, doc(13)); err != nil {
		t.Fatal(err)
	}
	if err := write("alice", start, doc(14)); !errors.Is(err, ErrConflict) {
		t.Errorf("alice's request from before her form caught up: %v, want ErrConflict", err)
	}

	// bob reloads and writes; alice's discard from her older view is refused, and so is
	// her commit.
	h = headOf(t, s)
	if err := write("bob", h.Revision, doc(22)); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardDraft(ctx, "payments", "aks", DraftWrite{Writer: "alice", Seen: h.Revision}); !errors.Is(err, ErrConflict) {
		t.Errorf("a stale discard: %v, want ErrConflict", err)
	}
	if _, err := s.CommitDraft(ctx, "payments", "aks", "mine", DraftWrite{Writer: "alice", Seen: h.Revision}); !errors.Is(err, ErrConflict) {
		t.Errorf("a stale commit: %v, want ErrConflict", err)
	}
	if got := draftOf(t, s); string(got.Document) != string(doc(22)) {
		t.Errorf("the refused discard and commit left %s, want bob's %s", got.Document, doc(22))
	}

	// bob discards; the revision moves on, so nothing from before matches a new draft.
	h = headOf(t, s)
	if err := s.DiscardDraft(ctx, "payments", "aks", DraftWrite{Writer: "bob", Seen: h.Revision}); err != nil {
		t.Fatal(err)
	}
	if after := headOf(t, s); after.Revision != h.Revision+1 || after.Writer != "" {
		t.Errorf("after a discard the head is %+v, want revision %d and no writer", after, h.Revision+1)
	}
	if err := write("bob", h.Revision, doc(23)); !errors.Is(err, ErrConflict) {
		t.Errorf("bob's request from before his discard: %v, want ErrConflict", err)
	}

	// A new version moves the revision while there is no draft, not while there is one.
	before := headOf(t, s).Revision
	if _, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(30), "two"); err != nil {
		t.Fatal(err)
	}
	if got := headOf(t, s).Revision; got != before+1 {
		t.Errorf("a new version without a draft left the revision at %d, want %d", got, before+1)
	}
	if err := write("bob", before+1, doc(31)); err != nil {
		t.Fatal(err)
	}
	before = headOf(t, s).Revision
	if _, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(32), "three"); err != nil {
		t.Fatal(err)
	}
	if got := headOf(t, s).Revision; got != before {
		t.Errorf("a new version moved the revision of an untouched draft from %d to %d", before, got)
	}
	v, err := s.CommitDraft(ctx, "payments", "aks", "bob's", DraftWrite{Writer: "bob", Seen: before})
	if err != nil || v.Version != 4 {
		t.Fatalf("bob's commit: version %d, %v", v.Version, err)
	}
	if got := headOf(t, s); got.Revision != before+1 {
		t.Errorf("after a commit the head is %+v, want revision %d", got, before+1)
	}
}

// TestSaveDraftConcurrentReadModifyWrite: writers that each read the draft, add to it and
// save with the revision they read never lose each other's additions: a save from a read
// that another save overtook is ErrConflict, and its writer reads again.
func TestSaveDraftConcurrentReadModifyWrite(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := context.Background()
	const writers = 12
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			for {
				b, err := s.Blueprint(ctx, "payments", "aks")
				if err != nil {
					errs <- err
					return
				}
				d := []byte{}
				if cur, err := s.Draft(ctx, "payments", "aks"); err == nil {
					d = cur.Document
				}
				next := append(append([]byte{}, d...), byte('a'+w))
				_, err = s.SaveDraft(ctx, "payments", "aks", 1, next,
					DraftWrite{Writer: "w", Seen: AnyRevision, Read: b.DraftHead.Revision})
				if errors.Is(err, ErrConflict) {
					continue
				}
				errs <- err
				return
			}
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := draftOf(t, s).Document; len(got) != writers {
		t.Errorf("the draft holds %q: %d of %d additions", got, len(got), writers)
	}
}
