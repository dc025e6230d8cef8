package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newBlueprint returns a store whose project "payments" holds blueprint
// "aks" at version 1 (doc(1)).
func newBlueprint(t *testing.T) *Store {
	t.Helper()
	s := newProject(t)
	if _, _, err := s.CreateBlueprint(t.Context(), "payments", "aks", "", doc(1), "one"); err != nil {
		t.Fatal(err)
	}
	return s
}

// anyone is a draft write that depends on nothing its author saw.
var anyone = DraftWrite{Seen: AnyRevision}

// saveDraft saves d as the draft of blueprint (of project payments) on version base, from the
// revision the draft has when read, as the editor does; it reads again while concurrent
// writers move the draft on in between.
func saveDraft(ctx context.Context, s *Store, blueprint string, base int, d []byte) (Draft, error) {
	for range 100 {
		b, err := s.Blueprint(ctx, "payments", blueprint)
		if err != nil {
			return Draft{}, err
		}
		h := b.DraftHead
		got, err := s.SaveDraft(ctx, "payments", blueprint, base, d, DraftWrite{Writer: "tester", Seen: h.Revision, Read: h.Revision})
		if !errors.Is(err, ErrConflict) {
			return got, err
		}
	}
	return Draft{}, errors.New("the draft kept moving")
}

func TestSaveDraftRoundTrip(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	b, err := s.Blueprint(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	saved, err := saveDraft(ctx, s, "aks", 1, doc(2))
	if err != nil {
		t.Fatal(err)
	}
	want := Draft{BlueprintID: b.ID, BaseVersion: 1, Document: doc(2), UpdatedAt: saved.UpdatedAt,
		Head: DraftHead{Revision: 1, Writer: "tester", WriterBase: 0}}
	if diff := cmp.Diff(want, saved); diff != "" {
		t.Errorf("SaveDraft (-want +got):\n%s", diff)
	}
	if !saved.UpdatedAt.After(b.UpdatedAt) {
		t.Errorf("draft UpdatedAt %v is not after the blueprint's %v", saved.UpdatedAt, b.UpdatedAt)
	}
	got, err := s.Draft(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Draft (-want +got):\n%s", diff)
	}
	// A draft is not a version.
	if n := count(t, s, "blueprint_versions"); n != 1 {
		t.Errorf("%d versions after saving a draft, want 1", n)
	}
}

func TestSaveDraftReplaces(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	if _, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), "two"); err != nil {
		t.Fatal(err)
	}
	first, err := saveDraft(ctx, s, "aks", 1, doc(10))
	if err != nil {
		t.Fatal(err)
	}
	second, err := saveDraft(ctx, s, "aks", 2, doc(11))
	if err != nil {
		t.Fatal(err)
	}
	if !second.UpdatedAt.After(first.UpdatedAt) {
		t.Errorf("second save's UpdatedAt %v is not after the first's %v", second.UpdatedAt, first.UpdatedAt)
	}
	got, err := s.Draft(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	// The new version moved the revision (there was no draft), then each save.
	want := Draft{BlueprintID: first.BlueprintID, BaseVersion: 2, Document: doc(11), UpdatedAt: second.UpdatedAt,
		Head: DraftHead{Revision: 3, Writer: "tester", WriterBase: 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Draft after a second save (-want +got):\n%s", diff)
	}
	if n := count(t, s, "blueprint_drafts"); n != 1 {
		t.Errorf("%d drafts, want 1", n)
	}
}

func TestDraftsAreKeptPerBlueprint(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	if _, _, err := s.CreateBlueprint(ctx, "payments", "postgres", "", doc(100), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := saveDraft(ctx, s, "aks", 1, doc(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := saveDraft(ctx, s, "postgres", 1, doc(101)); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardDraft(ctx, "payments", "postgres", anyone); err != nil {
		t.Fatal(err)
	}
	got, err := s.Draft(ctx, "payments", "aks")
	if err != nil {
		t.Fatalf("aks's draft after discarding postgres's: %v", err)
	}
	if !cmp.Equal(doc(2), got.Document) {
		t.Errorf("aks's draft document = %s, want %s", got.Document, doc(2))
	}
}

func TestDraftNotFound(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"Draft of a blueprint without one", func() error {
			_, err := s.Draft(ctx, "payments", "aks")
			return err
		}, `reading the draft of blueprint "aks" in project "payments": the blueprint has no draft`},
		{"Draft of unknown blueprint", func() error {
			_, err := s.Draft(ctx, "payments", "nope")
			return err
		}, `reading the draft of blueprint "nope" in project "payments": no such blueprint`},
		{"Draft in unknown project", func() error {
			_, err := s.Draft(ctx, "nope", "aks")
			return err
		}, `reading the draft of blueprint "aks" in project "nope": no such project`},
		{"SaveDraft to unknown blueprint", func() error {
			_, err := s.SaveDraft(ctx, "payments", "nope", 1, doc(2), DraftWrite{})
			return err
		}, `saving the draft of blueprint "nope" in project "payments": no such blueprint`},
		{"SaveDraft in unknown project", func() error {
			_, err := s.SaveDraft(ctx, "nope", "aks", 1, doc(2), DraftWrite{})
			return err
		}, `saving the draft of blueprint "aks" in project "nope": no such project`},
		{"SaveDraft on a version not yet made", func() error {
			_, err := s.SaveDraft(ctx, "payments", "aks", 2, doc(2), DraftWrite{})
			return err
		}, `saving the draft of blueprint "aks" in project "payments": no version 2 to base the draft on`},
		{"SaveDraft on version 0", func() error {
			_, err := s.SaveDraft(ctx, "payments", "aks", 0, doc(2), DraftWrite{})
			return err
		}, `saving the draft of blueprint "aks" in project "payments": no version 0 to base the draft on`},
		{"DiscardDraft of unknown blueprint", func() error {
			return s.DiscardDraft(ctx, "payments", "nope", anyone)
		}, `discarding the draft of blueprint "nope" in project "payments": no such blueprint`},
		{"DiscardDraft in unknown project", func() error {
			return s.DiscardDraft(ctx, "nope", "aks", anyone)
		}, `discarding the draft of blueprint "aks" in project "nope": no such project`},
		{"CommitDraft without a draft", func() error {
			_, err := s.CommitDraft(ctx, "payments", "aks", "", anyone)
			return err
		}, `committing the draft of blueprint "aks" in project "payments": the blueprint has no draft`},
		{"CommitDraft of unknown blueprint", func() error {
			_, err := s.CommitDraft(ctx, "payments", "nope", "", anyone)
			return err
		}, `committing the draft of blueprint "nope" in project "payments": no such blueprint`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
		})
	}
	if n := count(t, s, "blueprint_drafts"); n != 0 {
		t.Errorf("%d drafts, want 0", n)
	}
	if n := count(t, s, "blueprint_versions"); n != 1 {
		t.Errorf("%d versions, want 1", n)
	}
}

func TestDiscardDraft(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	if _, err := saveDraft(ctx, s, "aks", 1, doc(2)); err != nil {
		t.Fatal(err)
	}
	if err := s.DiscardDraft(ctx, "payments", "aks", anyone); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Draft(ctx, "payments", "aks"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Draft after DiscardDraft: got %v, want ErrNotFound", err)
	}
	// Discarding again, as a second browser tab might, is not an error.
	if err := s.DiscardDraft(ctx, "payments", "aks", anyone); err != nil {
		t.Errorf("discarding a missing draft: %v", err)
	}
	if n := count(t, s, "blueprint_versions"); n != 1 {
		t.Errorf("%d versions after discarding, want 1", n)
	}
}

func TestSaveDraftOversizedKeepsPrevious(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	before, err := saveDraft(ctx, s, "aks", 1, doc(2))
	if err != nil {
		t.Fatal(err)
	}
	_, err = saveDraft(ctx, s, "aks", 1, make([]byte, MaxDocumentBytes+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
	got, err := s.Draft(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, got); diff != "" {
		t.Errorf("draft after a refused save (-want +got):\n%s", diff)
	}
	// Exactly the limit is fine.
	if _, err := saveDraft(ctx, s, "aks", 1, make([]byte, MaxDocumentBytes)); err != nil {
		t.Errorf("a draft of exactly MaxDocumentBytes: %v", err)
	}
}

func TestDraftBaseVersionIsEnforcedBySchema(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	b, err := s.Blueprint(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.db.ExecContext(ctx,
		`INSERT INTO blueprint_drafts (blueprint_id, base_version, document, updated_at) VALUES (?, 7, ?, 'now')`, b.ID, []byte{0})
	if !isForeignKey(err) {
		t.Errorf("a draft on a missing version written by hand: got %v, want a foreign key error", err)
	}
}

func TestCommitDraft(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	v2, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), "two")
	if err != nil {
		t.Fatal(err)
	}
	d, err := saveDraft(ctx, s, "aks", 2, doc(3))
	if err != nil {
		t.Fatal(err)
	}
	v3, err := s.CommitDraft(ctx, "payments", "aks", "three", anyone)
	if err != nil {
		t.Fatal(err)
	}
	want := BlueprintVersion{BlueprintID: d.BlueprintID, Version: 3, Document: doc(3),
		SHA256: sha256Hex(doc(3)), Message: "three", CreatedAt: v3.CreatedAt}
	if diff := cmp.Diff(want, v3); diff != "" {
		t.Errorf("CommitDraft (-want +got):\n%s", diff)
	}
	if !v3.CreatedAt.After(v2.CreatedAt) {
		t.Errorf("version 3 created at %v, not after version 2's %v", v3.CreatedAt, v2.CreatedAt)
	}
	stored, err := s.BlueprintVersion(ctx, "payments", "aks", 3)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("BlueprintVersion(3) (-want +got):\n%s", diff)
	}
	b, err := s.Blueprint(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	if b.LatestVersion != 3 || !b.UpdatedAt.Equal(v3.CreatedAt) {
		t.Errorf("Blueprint = %+v, want latest version 3 updated at %v", b, v3.CreatedAt)
	}
	if _, err := s.Draft(ctx, "payments", "aks"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Draft after CommitDraft: got %v, want ErrNotFound", err)
	}
	// A second Save with nothing new to save says so, and adds nothing.
	if _, err := s.CommitDraft(ctx, "payments", "aks", "again", anyone); !errors.Is(err, ErrNotFound) {
		t.Errorf("second CommitDraft: got %v, want ErrNotFound", err)
	}
	if n := count(t, s, "blueprint_versions"); n != 3 {
		t.Errorf("%d versions, want 3", n)
	}
}

// The draft's base version does not pick the number: a version saved by
// someone else since the draft started comes before it.
func TestCommitDraftOnAnOlderBase(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	if _, err := saveDraft(ctx, s, "aks", 1, doc(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), "someone else"); err != nil {
		t.Fatal(err)
	}
	v, err := s.CommitDraft(ctx, "payments", "aks", "mine", anyone)
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != 3 || !cmp.Equal(doc(3), v.Document) || v.Message != "mine" {
		t.Errorf("CommitDraft = version %d %s %q, want version 3 %s %q", v.Version, v.Document, v.Message, doc(3), "mine")
	}
}

func TestCommitDraftSameDocument(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	v2, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), "two")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := saveDraft(ctx, s, "aks", 2, doc(2)); err != nil {
		t.Fatal(err)
	}
	got, err := s.CommitDraft(ctx, "payments", "aks", "nothing changed", anyone)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v2, got); diff != "" {
		t.Errorf("committing the latest document (-want +got):\n%s", diff)
	}
	if n := count(t, s, "blueprint_versions"); n != 2 {
		t.Errorf("%d versions, want 2", n)
	}
	if _, err := s.Draft(ctx, "payments", "aks"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Draft after committing an unchanged document: got %v, want ErrNotFound", err)
	}

	// Going back to an older document is a change, and gets a new version.
	if _, err := saveDraft(ctx, s, "aks", 2, doc(1)); err != nil {
		t.Fatal(err)
	}
	back, err := s.CommitDraft(ctx, "payments", "aks", "revert", anyone)
	if err != nil {
		t.Fatal(err)
	}
	if back.Version != 3 || !cmp.Equal(doc(1), back.Document) {
		t.Errorf("reverting to version 1's document made version %d with %s, want 3 with %s", back.Version, back.Document, doc(1))
	}
}

func TestCommitDraftRefusedKeepsDraft(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	before, err := saveDraft(ctx, s, "aks", 1, doc(2))
	if err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		msg  string
		want error
	}{
		{"long message", ctx, strings.Repeat("m", MaxTextBytes+1), ErrTooLarge},
		{"canceled context", canceled, "two", context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.CommitDraft(tt.ctx, "payments", "aks", tt.msg, anyone); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	got, err := s.Draft(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, got); diff != "" {
		t.Errorf("draft after refused commits (-want +got):\n%s", diff)
	}
	if n := count(t, s, "blueprint_versions"); n != 1 {
		t.Errorf("%d versions, want 1", n)
	}
}

// Committers and direct savers racing on one blueprint share one sequence
// of version numbers. Committers share the one draft, so a committer may
// commit another's draft or find none left; every draft saved is still
// committed exactly once or overwritten, never lost halfway.
func TestCommitDraftConcurrent(t *testing.T) {
	t.Parallel()
	s := newBlueprint(t)
	ctx := t.Context()
	const (
		adders     = 4
		committers = 4
		rounds     = 5
	)
	var (
		mu       sync.Mutex
		numbers  = map[int]int{} // version number -> times handed out
		adds     int
		commits  int
		noDrafts int
		errs     []error
	)
	record := func(v BlueprintVersion, err error, committed bool) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case committed && errors.Is(err, ErrNotFound):
			noDrafts++
		case err != nil:
			errs = append(errs, err)
		case committed:
			commits++
			numbers[v.Version]++
		default:
			adds++
			numbers[v.Version]++
		}
	}
	var wg sync.WaitGroup
	for w := range adders + committers {
		wg.Go(func() {
			for r := range rounds {
				d := doc(1000*(w+1) + r) // unique across the test
				if w < adders {
					v, err := s.AddBlueprintVersion(ctx, "payments", "aks", d, fmt.Sprint("adder ", w))
					record(v, err, false)
					continue
				}
				if _, err := saveDraft(ctx, s, "aks", 1, d); err != nil {
					record(BlueprintVersion{}, err, false)
					continue
				}
				v, err := s.CommitDraft(ctx, "payments", "aks", fmt.Sprint("committer ", w), anyone)
				record(v, err, true)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if adds != adders*rounds {
		t.Errorf("%d versions added, want %d", adds, adders*rounds)
	}
	if commits+noDrafts != committers*rounds {
		t.Errorf("%d commits and %d finding no draft, want %d in all", commits, noDrafts, committers*rounds)
	}
	// The last draft saved is committed by its saver or by whoever got
	// there first, so at least one commit makes a version.
	if commits == 0 {
		t.Error("no commit made a version")
	}
	total := 1 + adds + commits
	for n := 2; n <= total; n++ {
		if numbers[n] != 1 {
			t.Errorf("version %d handed out %d times, want once", n, numbers[n])
		}
	}
	if len(numbers) != total-1 {
		t.Errorf("%d distinct version numbers handed out, want %d", len(numbers), total-1)
	}
	list, err := s.BlueprintVersions(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	shas := map[string]bool{}
	for i, v := range list {
		if want := total - i; v.Version != want {
			t.Errorf("stored version at %d is %d, want %d", i, v.Version, want)
		}
		shas[v.SHA256] = true
	}
	if len(list) != total || len(shas) != total {
		t.Errorf("%d versions with %d distinct documents stored, want %d of each", len(list), len(shas), total)
	}
	if n := count(t, s, "blueprint_drafts"); n != 0 {
		t.Errorf("%d drafts left, want 0: the last one saved was not committed", n)
	}
}

func TestDeletingRemovesDraft(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sql  string
	}{
		{"project", `DELETE FROM projects`},
		{"blueprint", `DELETE FROM blueprints WHERE name = 'aks'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newBlueprint(t)
			ctx := t.Context()
			if _, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), ""); err != nil {
				t.Fatal(err)
			}
			if _, err := saveDraft(ctx, s, "aks", 2, doc(3)); err != nil {
				t.Fatal(err)
			}
			if n := count(t, s, "blueprint_drafts"); n != 1 {
				t.Fatalf("%d drafts before deleting, want 1", n)
			}
			if _, err := s.db.ExecContext(ctx, tt.sql); err != nil {
				t.Fatalf("%s: %v", tt.sql, err)
			}
			for _, table := range []string{"blueprints", "blueprint_versions", "blueprint_drafts"} {
				if n := count(t, s, table); n != 0 {
					t.Errorf("%d rows left in %s", n, table)
				}
			}
		})
	}
}
