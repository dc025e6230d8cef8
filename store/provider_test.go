package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestProjectProviders(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	for _, p := range []string{"team", "other"} {
		if _, err := s.CreateProject(ctx, p, ""); err != nil {
			t.Fatal(err)
		}
	}
	list := func(project string) string {
		t.Helper()
		ps, err := s.ProjectProviders(ctx, project)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			if p.AddedAt.IsZero() {
				t.Errorf("%s has no time", p.Source)
			}
			out = append(out, p.Source+" by "+p.AddedBy)
		}
		return strings.Join(out, ", ")
	}
	if got := list("team"); got != "" {
		t.Errorf("a new project allows %q", got)
	}
	for _, src := range []string{"registry.terraform.io/hashicorp/http", "registry.example.com/acme/tool"} {
		p, err := s.AllowProvider(ctx, "team", src, "ada")
		if err != nil || p.Source != src || p.AddedBy != "ada" {
			t.Fatalf("allowing %s: %+v, %v", src, p, err)
		}
	}
	if got, want := list("team"), "registry.example.com/acme/tool by ada, registry.terraform.io/hashicorp/http by ada"; got != want {
		t.Errorf("team allows %q, want %q", got, want)
	}
	if got := list("other"); got != "" {
		t.Errorf("another project allows %q", got)
	}

	for _, tc := range []struct {
		name, project, source string
		want                  error
	}{
		{"twice", "team", "registry.example.com/acme/tool", ErrConflict},
		{"empty", "team", "", ErrInvalidName},
		{"too long", "team", strings.Repeat("x", 256), ErrInvalidName},
		{"no such project", "nope", "registry.example.com/acme/tool", ErrNotFound},
	} {
		if _, err := s.AllowProvider(ctx, tc.project, tc.source, "ada"); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := s.ProjectProviders(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("listing an unknown project: %v", err)
	}

	if err := s.DisallowProvider(ctx, "team", "registry.terraform.io/hashicorp/http"); err != nil {
		t.Fatal(err)
	}
	if got, want := list("team"), "registry.example.com/acme/tool by ada"; got != want {
		t.Errorf("after taking one back: %q, want %q", got, want)
	}
	if err := s.DisallowProvider(ctx, "team", "registry.terraform.io/hashicorp/http"); !errors.Is(err, ErrNotFound) {
		t.Errorf("taking back one not allowed: %v", err)
	}

	// A project allows at most MaxProjectProviders.
	for i := 1; i < MaxProjectProviders; i++ {
		if _, err := s.AllowProvider(ctx, "other", fmt.Sprintf("registry.example.com/acme/p%d", i), "ada"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AllowProvider(ctx, "other", "registry.example.com/acme/last", "ada"); err != nil {
		t.Fatalf("the %dth: %v", MaxProjectProviders, err)
	}
	if _, err := s.AllowProvider(ctx, "other", "registry.example.com/acme/one-more", "ada"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one over the limit: %v", err)
	}

	// They go with their project.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM projects WHERE name = 'other'`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM project_providers`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d rows left after deleting the project (%v), want team's one", n, err)
	}
}
