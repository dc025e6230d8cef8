package store

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// newProject returns a store holding one project, "payments".
func newProject(t *testing.T) *Store {
	t.Helper()
	s := newStore(t)
	if _, err := s.CreateProject(t.Context(), "payments", ""); err != nil {
		t.Fatal(err)
	}
	return s
}

func doc(i int) []byte { return fmt.Appendf(nil, `{"format":1,"n":%d}`, i) }

func TestCreateBlueprint(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	b, v, err := s.CreateBlueprint(ctx, "payments", "aks", "the cluster", doc(1), "first")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Project(ctx, "payments")
	if err != nil {
		t.Fatal(err)
	}
	wantB := Blueprint{ID: b.ID, ProjectID: p.ID, Name: "aks", Description: "the cluster", LatestVersion: 1,
		CreatedAt: v.CreatedAt, UpdatedAt: v.CreatedAt}
	if diff := cmp.Diff(wantB, b); diff != "" {
		t.Errorf("CreateBlueprint blueprint (-want +got):\n%s", diff)
	}
	wantV := BlueprintVersion{BlueprintID: b.ID, Version: 1, Document: doc(1),
		SHA256:  "7c57f09d4bf26f09598a61ab2286d3e1613c8d9061aac68f9e31964e10e795ed", // sha256sum of doc(1)
		Message: "first", CreatedAt: v.CreatedAt}
	if diff := cmp.Diff(wantV, v); diff != "" {
		t.Errorf("CreateBlueprint version (-want +got):\n%s", diff)
	}

	got, err := s.Blueprint(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantB, got); diff != "" {
		t.Errorf("Blueprint (-want +got):\n%s", diff)
	}
	gotV, err := s.BlueprintVersion(ctx, "payments", "aks", 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantV, gotV); diff != "" {
		t.Errorf("BlueprintVersion (-want +got):\n%s", diff)
	}
}

func TestBlueprintsSortedByName(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	for _, name := range []string{"postgres", "aks", "keyvault"} {
		if _, _, err := s.CreateBlueprint(ctx, "payments", name, "", doc(0), ""); err != nil {
			t.Fatal(err)
		}
	}
	bs, err := s.Blueprints(ctx, "payments")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range bs {
		names = append(names, b.Name)
	}
	if diff := cmp.Diff([]string{"aks", "keyvault", "postgres"}, names); diff != "" {
		t.Errorf("Blueprints names (-want +got):\n%s", diff)
	}
}

func TestCreateBlueprintWritesNothingOnError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		project   string
		blueprint string
		document  []byte
		message   string
		want      error
	}{
		{"dot dot", "payments", "../x", doc(1), "", ErrInvalidName},
		{"space", "payments", "has space", doc(1), "", ErrInvalidName},
		{"empty name", "payments", "", doc(1), "", ErrInvalidName},
		{"64 chars", "payments", strings.Repeat("a", 64), doc(1), "", ErrInvalidName},
		{"upper case", "payments", "UPPER", doc(1), "", ErrInvalidName},
		{"oversized document", "payments", "big", make([]byte, MaxDocumentBytes+1), "", ErrTooLarge},
		{"long message", "payments", "chatty", doc(1), strings.Repeat("m", MaxTextBytes+1), ErrTooLarge},
		{"taken name", "payments", "aks", doc(2), "", ErrConflict},
		{"unknown project", "nope", "aks", doc(1), "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newProject(t)
			if _, _, err := s.CreateBlueprint(t.Context(), "payments", "aks", "", doc(1), ""); err != nil {
				t.Fatal(err)
			}
			_, _, err := s.CreateBlueprint(t.Context(), tt.project, tt.blueprint, "", tt.document, tt.message)
			if !errors.Is(err, tt.want) {
				t.Errorf("CreateBlueprint(%q, %q) = %v, want %v", tt.project, tt.blueprint, err, tt.want)
			}
			if n := count(t, s, "blueprints"); n != 1 {
				t.Errorf("%d blueprints after a refused create, want 1", n)
			}
			if n := count(t, s, "blueprint_versions"); n != 1 {
				t.Errorf("%d versions after a refused create, want 1", n)
			}
		})
	}
}

func TestAddBlueprintVersion(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	_, v1, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), "one")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), "two")
	if err != nil {
		t.Fatal(err)
	}
	v3, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(3), "three")
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{v1.Version, v2.Version, v3.Version}; !cmp.Equal(got, []int{1, 2, 3}) {
		t.Errorf("versions = %v, want [1 2 3]", got)
	}

	list, err := s.BlueprintVersions(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	meta := func(v BlueprintVersion) BlueprintVersion { v.Document = nil; return v }
	if diff := cmp.Diff([]BlueprintVersion{meta(v3), meta(v2), meta(v1)}, list); diff != "" {
		t.Errorf("BlueprintVersions (-want +got):\n%s", diff)
	}
	for _, want := range []BlueprintVersion{v1, v2, v3} {
		got, err := s.BlueprintVersion(ctx, "payments", "aks", want.Version)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("BlueprintVersion(%d) (-want +got):\n%s", want.Version, diff)
		}
	}
	b, err := s.Blueprint(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	if b.LatestVersion != 3 || !b.UpdatedAt.Equal(v3.CreatedAt) || !b.CreatedAt.Equal(v1.CreatedAt) {
		t.Errorf("Blueprint = %+v, want latest version 3 updated at %v, created at %v", b, v3.CreatedAt, v1.CreatedAt)
	}
}

func TestAddBlueprintVersionSameDocument(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	if _, _, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), "one"); err != nil {
		t.Fatal(err)
	}
	v2, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), "two")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), "two, again")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v2, again); diff != "" {
		t.Errorf("saving the latest document again (-want +got):\n%s", diff)
	}
	if n := count(t, s, "blueprint_versions"); n != 2 {
		t.Errorf("%d versions, want 2", n)
	}

	// Going back to an older document is a change, and gets a new version.
	back, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(1), "revert")
	if err != nil {
		t.Fatal(err)
	}
	if back.Version != 3 {
		t.Errorf("reverting to version 1's document made version %d, want 3", back.Version)
	}
}

func TestAddBlueprintVersionConcurrent(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	if _, _, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(0), ""); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	got := make([]int, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			v, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(i+1), fmt.Sprint("writer ", i))
			got[i], errs[i] = v.Version, err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 3, 4, 5, 6, 7, 8, 9}, got, cmpopts.SortSlices(func(a, b int) bool { return a < b })); diff != "" {
		t.Errorf("versions handed to writers (-want +got):\n%s", diff)
	}
	list, err := s.BlueprintVersions(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	shas := map[string]bool{}
	for _, v := range list {
		numbers = append(numbers, v.Version)
		shas[v.SHA256] = true
	}
	if diff := cmp.Diff([]int{9, 8, 7, 6, 5, 4, 3, 2, 1}, numbers); diff != "" {
		t.Errorf("stored versions (-want +got):\n%s", diff)
	}
	if len(shas) != 9 {
		t.Errorf("%d distinct documents stored, want 9", len(shas))
	}
}

func TestBlueprintVersionsAreImmutable(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	_, v1, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), "one")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		sql  string
		args []any
	}{
		{"update document", `UPDATE blueprint_versions SET document = ?`, []any{[]byte{0}}},
		{"update message", `UPDATE blueprint_versions SET message = 'rewritten'`, nil},
		{"delete", `DELETE FROM blueprint_versions`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.db.ExecContext(ctx, tt.sql, tt.args...)
			if err == nil || !strings.Contains(err.Error(), "blueprint versions are immutable") {
				t.Errorf("%s: got %v, want the immutability trigger's error", tt.sql, err)
			}
		})
	}
	got, err := s.BlueprintVersion(ctx, "payments", "aks", 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v1, got); diff != "" {
		t.Errorf("version 1 changed (-want +got):\n%s", diff)
	}
}

func TestDeletingProjectCascades(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	if _, _, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateEnvironment(ctx, "payments", "dev", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDeployment(ctx, "payments", "aks", 2, "dev", ""); err != nil {
		t.Fatal(err)
	}

	// A blueprint with a deployment cannot go on its own.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM blueprints`); err == nil {
		t.Error("deleting a deployed blueprint succeeded, want a foreign key error")
	}
	// The project, with everything in it, can: the immutability trigger
	// lets cascaded deletes of versions through.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM projects`); err != nil {
		t.Fatalf("deleting the project: %v", err)
	}
	for _, table := range []string{"projects", "blueprints", "blueprint_versions", "environments", "deployments"} {
		if n := count(t, s, table); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
}

func TestBlueprintNotFound(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	if _, _, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"Blueprints of unknown project", func() error { _, err := s.Blueprints(ctx, "nope"); return err }},
		{"Blueprint of unknown project", func() error { _, err := s.Blueprint(ctx, "nope", "aks"); return err }},
		{"unknown Blueprint", func() error { _, err := s.Blueprint(ctx, "payments", "nope"); return err }},
		{"BlueprintVersions of unknown blueprint", func() error { _, err := s.BlueprintVersions(ctx, "payments", "nope"); return err }},
		{"unknown BlueprintVersion", func() error { _, err := s.BlueprintVersion(ctx, "payments", "aks", 2); return err }},
		{"AddBlueprintVersion to unknown project", func() error {
			_, err := s.AddBlueprintVersion(ctx, "nope", "aks", doc(2), "")
			return err
		}},
		{"AddBlueprintVersion to unknown blueprint", func() error {
			_, err := s.AddBlueprintVersion(ctx, "payments", "nope", doc(2), "")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrNotFound) {
				t.Errorf("got %v, want ErrNotFound", err)
			}
		})
	}
	if n := count(t, s, "blueprint_versions"); n != 1 {
		t.Errorf("%d versions, want 1", n)
	}
}

func TestAddBlueprintVersionOversized(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	if _, _, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), ""); err != nil {
		t.Fatal(err)
	}
	_, err := s.AddBlueprintVersion(ctx, "payments", "aks", make([]byte, MaxDocumentBytes+1), "")
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
	if n := count(t, s, "blueprint_versions"); n != 1 {
		t.Errorf("%d versions, want 1", n)
	}
	// Exactly the limit is fine.
	if _, err := s.AddBlueprintVersion(ctx, "payments", "aks", make([]byte, MaxDocumentBytes), ""); err != nil {
		t.Errorf("a document of exactly MaxDocumentBytes: %v", err)
	}
}
