package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestEnvironments(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	var created []Environment
	for _, name := range []string{"prod", "dev", "staging"} {
		e, err := s.CreateEnvironment(ctx, "payments", name, []byte(`{"region":"`+name+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || e.ProjectID == 0 || !e.CreatedAt.Equal(e.UpdatedAt) {
			t.Errorf("CreateEnvironment(%q) = %+v, want ids and UpdatedAt == CreatedAt", name, e)
		}
		created = append(created, e)
	}
	got, err := s.Environments(ctx, "payments")
	if err != nil {
		t.Fatal(err)
	}
	want := []Environment{created[1], created[0], created[2]} // by name
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Environments (-want +got):\n%s", diff)
	}
	for _, e := range created {
		got, err := s.Environment(ctx, "payments", e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(e, got); diff != "" {
			t.Errorf("Environment(%q) (-want +got):\n%s", e.Name, diff)
		}
	}
}

func TestUpdateEnvironment(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	before, err := s.CreateEnvironment(ctx, "payments", "dev", []byte(`{"v":1}`))
	if err != nil {
		t.Fatal(err)
	}
	after, err := s.UpdateEnvironment(ctx, "payments", "dev", []byte(`{"v":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if !after.UpdatedAt.After(before.UpdatedAt) {
		t.Errorf("UpdatedAt %v, want after %v", after.UpdatedAt, before.UpdatedAt)
	}
	want := before
	want.Document = []byte(`{"v":2}`)
	want.UpdatedAt = after.UpdatedAt
	if diff := cmp.Diff(want, after); diff != "" {
		t.Errorf("UpdateEnvironment (-want +got):\n%s", diff)
	}
	got, err := s.Environment(ctx, "payments", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Environment after update (-want +got):\n%s", diff)
	}
}

func TestEnvironmentEmptyDocument(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	if _, err := s.CreateEnvironment(ctx, "payments", "dev", nil); err != nil {
		t.Fatal(err)
	}
	got, err := s.Environment(ctx, "payments", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]byte{}, got.Document, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Document (-want +got):\n%s", diff)
	}
}

func TestCreateEnvironmentRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		project  string
		env      string
		document []byte
		want     error
	}{
		{"taken name", "payments", "dev", nil, ErrConflict},
		{"dot dot", "payments", "../x", nil, ErrInvalidName},
		{"space", "payments", "has space", nil, ErrInvalidName},
		{"empty name", "payments", "", nil, ErrInvalidName},
		{"64 chars", "payments", strings.Repeat("a", 64), nil, ErrInvalidName},
		{"upper case", "payments", "UPPER", nil, ErrInvalidName},
		{"oversized document", "payments", "big", make([]byte, MaxDocumentBytes+1), ErrTooLarge},
		{"unknown project", "nope", "prod", nil, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newProject(t)
			if _, err := s.CreateEnvironment(t.Context(), "payments", "dev", nil); err != nil {
				t.Fatal(err)
			}
			_, err := s.CreateEnvironment(t.Context(), tt.project, tt.env, tt.document)
			if !errors.Is(err, tt.want) {
				t.Errorf("CreateEnvironment(%q, %q) = %v, want %v", tt.project, tt.env, err, tt.want)
			}
			if n := count(t, s, "environments"); n != 1 {
				t.Errorf("%d environments after a refused create, want 1", n)
			}
		})
	}
}

func TestUpdateEnvironmentRefuses(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	orig, err := s.CreateEnvironment(ctx, "payments", "dev", []byte(`{"v":1}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		project  string
		env      string
		document []byte
		want     error
	}{
		{"unknown project", "nope", "dev", nil, ErrNotFound},
		{"unknown environment", "payments", "prod", nil, ErrNotFound},
		{"oversized document", "payments", "dev", make([]byte, MaxDocumentBytes+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.UpdateEnvironment(ctx, tt.project, tt.env, tt.document); !errors.Is(err, tt.want) {
				t.Errorf("UpdateEnvironment(%q, %q) = %v, want %v", tt.project, tt.env, err, tt.want)
			}
		})
	}
	got, err := s.Environment(ctx, "payments", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(orig, got); diff != "" {
		t.Errorf("environment changed by refused updates (-want +got):\n%s", diff)
	}
}

func TestEnvironmentNotFound(t *testing.T) {
	t.Parallel()
	s := newProject(t)
	ctx := t.Context()
	if _, err := s.Environments(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Environments(nope) = %v, want ErrNotFound", err)
	}
	if _, err := s.Environment(ctx, "nope", "dev"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Environment(nope, dev) = %v, want ErrNotFound", err)
	}
	if _, err := s.Environment(ctx, "payments", "dev"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Environment(payments, dev) = %v, want ErrNotFound", err)
	}
}
