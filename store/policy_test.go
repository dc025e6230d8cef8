package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestProjectPolicy(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProjectPolicy(ctx, "team"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a project without rules: %v, want ErrNotFound", err)
	}
	for _, doc := range []string{`{"rules":[]}`, `{"rules":[{"id":"required-tags","tags":["owner"]}]}`} {
		if err := s.SetProjectPolicy(ctx, "team", []byte(doc)); err != nil {
			t.Fatal(err)
		}
		got, err := s.ProjectPolicy(ctx, "team")
		if err != nil || string(got) != doc {
			t.Errorf("read back %q, %v; want %q", got, err, doc)
		}
	}
	if err := s.SetProjectPolicy(ctx, "nope", []byte("{}")); !errors.Is(err, ErrNotFound) {
		t.Errorf("rules for an unknown project: %v", err)
	}
	big := []byte(strings.Repeat(" ", MaxPolicyBytes+1))
	if err := s.SetProjectPolicy(ctx, "team", big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized rules: %v", err)
	}
	if got, _ := s.ProjectPolicy(ctx, "team"); !strings.Contains(string(got), "owner") {
		t.Errorf("a refused write replaced the rules: %q", got)
	}
}
