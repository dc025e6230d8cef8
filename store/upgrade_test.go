package store

import (
	"errors"
	"testing"
)

// TestBlueprintUpgrade: kept, read back, replaced, removed; and gone with its blueprint.
func TestBlueprintUpgrade(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	if _, _, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BlueprintUpgrade(ctx, "payments", "aks"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("before any upgrade import: %v, want ErrNotFound", err)
	}
	first := BlueprintUpgrade{Version: 1, Sources: []byte(`{"main.tf":"x"}`), Report: []byte(`{"format":1}`)}
	if err := s.SaveBlueprintUpgrade(ctx, "payments", "aks", first); err != nil {
		t.Fatal(err)
	}
	got, err := s.BlueprintUpgrade(ctx, "payments", "aks")
	if err != nil || got.Version != 1 || string(got.Sources) != string(first.Sources) || string(got.Report) != string(first.Report) || got.CreatedAt.IsZero() {
		t.Fatalf("read back %+v, %v", got, err)
	}
	second := BlueprintUpgrade{Version: 2, Sources: []byte(`{}`), Report: []byte(`{"format":1,"items":[]}`)}
	if err := s.SaveBlueprintUpgrade(ctx, "payments", "aks", second); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.BlueprintUpgrade(ctx, "payments", "aks"); got.Version != 2 || string(got.Report) != string(second.Report) {
		t.Errorf("not replaced: %+v", got)
	}
	if err := s.SaveBlueprintUpgrade(ctx, "payments", "aks", BlueprintUpgrade{Version: 1, Sources: make([]byte, MaxDocumentBytes+1)}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized sources: %v", err)
	}
	if err := s.SaveBlueprintUpgrade(ctx, "payments", "nope", first); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown blueprint: %v", err)
	}
	if err := s.DeleteBlueprintUpgrade(ctx, "payments", "aks"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BlueprintUpgrade(ctx, "payments", "aks"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := s.DeleteBlueprintUpgrade(ctx, "payments", "aks"); err != nil {
		t.Errorf("a second delete: %v", err)
	}
}
