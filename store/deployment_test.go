package store

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newDeployable returns a store with project "payments" holding blueprint
// "aks" (versions 1 and 2), blueprint "keyvault" (version 1) and
// environments "dev" and "prod".
func newDeployable(t *testing.T) *Store {
	t.Helper()
	s := newProject(t)
	ctx := t.Context()
	if _, _, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddBlueprintVersion(ctx, "payments", "aks", doc(2), ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateBlueprint(ctx, "payments", "keyvault", "", doc(1), ""); err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"dev", "prod"} {
		if _, err := s.CreateEnvironment(ctx, "payments", env, nil); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestCreateDeployment(t *testing.T) {
	t.Parallel()
	s := newDeployable(t)
	ctx := t.Context()
	aks, err := s.Blueprint(ctx, "payments", "aks")
	if err != nil {
		t.Fatal(err)
	}
	prod, err := s.Environment(ctx, "payments", "prod")
	if err != nil {
		t.Fatal(err)
	}

	d, err := s.CreateDeployment(ctx, "payments", "aks", 2, "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	want := Deployment{
		ID:               d.ID,
		ProjectID:        aks.ProjectID,
		BlueprintID:      aks.ID,
		EnvironmentID:    prod.ID,
		Blueprint:        "aks",
		Environment:      "prod",
		BlueprintVersion: 2,
		StateKey:         "payments/aks/prod.tfstate",
		CreatedAt:        d.CreatedAt,
		UpdatedAt:        d.CreatedAt,
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("CreateDeployment (-want +got):\n%s", diff)
	}
	got, err := s.Deployment(ctx, "payments", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Deployment (-want +got):\n%s", diff)
	}
}

func TestDeploymentsSorted(t *testing.T) {
	t.Parallel()
	s := newDeployable(t)
	ctx := t.Context()
	for _, d := range []struct {
		blueprint   string
		version     int
		environment string
		stateKey    string
	}{
		{"keyvault", 1, "dev", ""},
		{"aks", 1, "prod", "custom/aks-prod.tfstate"},
		{"aks", 2, "dev", ""},
	} {
		if _, err := s.CreateDeployment(ctx, "payments", d.blueprint, d.version, d.environment, d.stateKey); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := s.Deployments(ctx, "payments")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Blueprint, Environment string
		Version                int
		StateKey               string
	}
	var got []row
	for _, d := range ds {
		got = append(got, row{d.Blueprint, d.Environment, d.BlueprintVersion, d.StateKey})
	}
	want := []row{
		{"aks", "dev", 2, "payments/aks/dev.tfstate"},
		{"aks", "prod", 1, "custom/aks-prod.tfstate"},
		{"keyvault", "dev", 1, "payments/keyvault/dev.tfstate"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Deployments (-want +got):\n%s", diff)
	}
}

func TestCreateDeploymentRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		project     string
		blueprint   string
		version     int
		environment string
		stateKey    string
		want        error
	}{
		{"same pair again", "payments", "aks", 1, "dev", "", ErrConflict},
		{"state key taken", "payments", "keyvault", 1, "prod", "payments/aks/dev.tfstate", ErrConflict},
		{"unknown version", "payments", "aks", 3, "prod", "", ErrNotFound},
		{"version zero", "payments", "aks", 0, "prod", "", ErrNotFound},
		{"unknown environment", "payments", "aks", 1, "qa", "", ErrNotFound},
		{"unknown blueprint", "payments", "postgres", 1, "prod", "", ErrNotFound},
		{"unknown project", "nope", "aks", 1, "prod", "", ErrNotFound},
		{"state key escapes", "payments", "aks", 1, "prod", "../../etc/passwd", ErrInvalidName},
		{"absolute state key", "payments", "aks", 1, "prod", "/var/state", ErrInvalidName},
		{"empty state key part", "payments", "aks", 1, "prod", "a//b", ErrInvalidName},
		{"backslash in state key", "payments", "aks", 1, "prod", `a\b`, ErrInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newDeployable(t)
			if _, err := s.CreateDeployment(t.Context(), "payments", "aks", 2, "dev", ""); err != nil {
				t.Fatal(err)
			}
			_, err := s.CreateDeployment(t.Context(), tt.project, tt.blueprint, tt.version, tt.environment, tt.stateKey)
			if !errors.Is(err, tt.want) {
				t.Errorf("CreateDeployment = %v, want %v", err, tt.want)
			}
			if n := count(t, s, "deployments"); n != 1 {
				t.Errorf("%d deployments after a refused create, want 1", n)
			}
		})
	}
}

func TestDeploymentNotFound(t *testing.T) {
	t.Parallel()
	s := newDeployable(t)
	ctx := t.Context()
	if _, err := s.CreateProject(ctx, "search", ""); err != nil {
		t.Fatal(err)
	}
	d, err := s.CreateDeployment(ctx, "payments", "aks", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		project string
		id      int64
	}{
		{"unknown id", "payments", d.ID + 1},
		{"another project's id", "search", d.ID},
		{"unknown project", "nope", d.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Deployment(ctx, tt.project, tt.id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Deployment(%q, %d) = %v, want ErrNotFound", tt.project, tt.id, err)
			}
		})
	}
	if _, err := s.Deployments(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Deployments(nope) = %v, want ErrNotFound", err)
	}
}

func TestUpdateDeploymentVersion(t *testing.T) {
	t.Parallel()
	s := newDeployable(t)
	ctx := t.Context()
	d, err := s.CreateDeployment(ctx, "payments", "aks", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.UpdateDeploymentVersion(ctx, "payments", d.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.BlueprintVersion != 2 || got.StateKey != d.StateKey || got.Environment != "dev" || got.ID != d.ID {
		t.Errorf("promoted deployment = %+v", got)
	}
	read, err := s.Deployment(ctx, "payments", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, read); diff != "" {
		t.Errorf("the promotion is not what is read back (-returned +read):\n%s", diff)
	}

	for _, c := range []struct {
		name    string
		project string
		id      int64
		version int
		want    error
	}{
		{"same version", "payments", d.ID, 2, ErrConflict},
		{"older version", "payments", d.ID, 1, ErrConflict},
		{"missing version", "payments", d.ID, 3, ErrNotFound},
		{"missing deployment", "payments", d.ID + 100, 3, ErrNotFound},
		{"other project", "nope", d.ID, 3, ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.UpdateDeploymentVersion(ctx, c.project, c.id, c.version)
			if !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
		})
	}
	read, err = s.Deployment(ctx, "payments", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if read.BlueprintVersion != 2 {
		t.Errorf("a refused promotion changed the version to %d", read.BlueprintVersion)
	}
}
