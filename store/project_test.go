package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProjects(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	var created []Project
	for _, name := range []string{"search", "payments", "ledger"} {
		p, err := s.CreateProject(ctx, name, "team "+name)
		if err != nil {
			t.Fatal(err)
		}
		if p.ID == 0 || p.CreatedAt.IsZero() || p.CreatedAt.Location().String() != "UTC" {
			t.Errorf("CreateProject(%q) = %+v, want an id and a UTC time", name, p)
		}
		created = append(created, p)
	}

	got, err := s.Projects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Project{created[2], created[1], created[0]} // by name
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Projects (-want +got):\n%s", diff)
	}
	for _, p := range created {
		got, err := s.Project(ctx, p.Name)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Project(%q) (-want +got):\n%s", p.Name, diff)
		}
	}
}

func TestProjectsEmpty(t *testing.T) {
	t.Parallel()
	got, err := newStore(t).Projects(t.Context())
	if err != nil || len(got) != 0 {
		t.Errorf("Projects on a new store = %v, %v; want none", got, err)
	}
}

func TestCreateProjectRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		project     string
		description string
		want        error
	}{
		{"taken name", "payments", "", ErrConflict},
		{"dot dot", "../x", "", ErrInvalidName},
		{"space", "has space", "", ErrInvalidName},
		{"empty", "", "", ErrInvalidName},
		{"64 chars", strings.Repeat("a", 64), "", ErrInvalidName},
		{"upper case", "UPPER", "", ErrInvalidName},
		{"long description", "other", strings.Repeat("d", MaxTextBytes+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			if _, err := s.CreateProject(t.Context(), "payments", ""); err != nil {
				t.Fatal(err)
			}
			_, err := s.CreateProject(t.Context(), tt.project, tt.description)
			if !errors.Is(err, tt.want) {
				t.Errorf("CreateProject(%q) = %v, want %v", tt.project, err, tt.want)
			}
			if n := count(t, s, "projects"); n != 1 {
				t.Errorf("%d projects after a refused create, want 1", n)
			}
		})
	}
}

func TestProjectNotFound(t *testing.T) {
	t.Parallel()
	_, err := newStore(t).Project(t.Context(), "nope")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Project(nope) = %v, want ErrNotFound", err)
	}
}
