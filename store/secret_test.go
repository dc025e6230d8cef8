package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// newSecretStore returns a store holding project "payments" with
// environments "dev" and "prod".
func newSecretStore(t *testing.T) *Store {
	t.Helper()
	s := newProject(t)
	for _, env := range []string{"dev", "prod"} {
		if _, err := s.CreateEnvironment(t.Context(), "payments", env, nil); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestEnvironmentSecrets(t *testing.T) {
	t.Parallel()
	s := newSecretStore(t)
	ctx := t.Context()
	for _, name := range []string{"TF_VAR_db_password", "ARM_CLIENT_SECRET", "ARM_CLIENT_ID"} {
		if err := s.SetEnvironmentSecret(ctx, "payments", "dev", name, []byte("sealed "+name)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.EnvironmentSecrets(ctx, "payments", "dev")
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "TF_VAR_db_password"}
	var gotNames []string
	for _, sec := range got {
		gotNames = append(gotNames, sec.Name)
		if want := "sealed " + sec.Name; string(sec.Ciphertext) != want {
			t.Errorf("%s: ciphertext %q, want %q", sec.Name, sec.Ciphertext, want)
		}
	}
	if diff := cmp.Diff(wantNames, gotNames); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if !got[2].UpdatedAt.Before(got[1].UpdatedAt) || !got[1].UpdatedAt.Before(got[0].UpdatedAt) {
		t.Errorf("UpdatedAt %v, want each set later than the one before", got)
	}

	// Setting again replaces the ciphertext and moves UpdatedAt.
	if err := s.SetEnvironmentSecret(ctx, "payments", "dev", "ARM_CLIENT_SECRET", []byte("rotated")); err != nil {
		t.Fatal(err)
	}
	again, err := s.EnvironmentSecrets(ctx, "payments", "dev")
	if err != nil {
		t.Fatal(err)
	}
	want := []StoredSecret{got[0], {Name: "ARM_CLIENT_SECRET", Ciphertext: []byte("rotated"), UpdatedAt: again[1].UpdatedAt}, got[2]}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("after replacing (-want +got):\n%s", diff)
	}
	if !again[1].UpdatedAt.After(got[0].UpdatedAt) {
		t.Errorf("replaced UpdatedAt %v, want after %v", again[1].UpdatedAt, got[0].UpdatedAt)
	}

	// Deleting removes one; deleting it again is not an error.
	for range 2 {
		if err := s.DeleteEnvironmentSecret(ctx, "payments", "dev", "ARM_CLIENT_SECRET"); err != nil {
			t.Fatal(err)
		}
	}
	after, err := s.EnvironmentSecrets(ctx, "payments", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]StoredSecret{got[0], got[2]}, after); diff != "" {
		t.Errorf("after deleting (-want +got):\n%s", diff)
	}

	// Another environment has its own, none yet.
	prod, err := s.EnvironmentSecrets(ctx, "payments", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if len(prod) != 0 {
		t.Errorf("prod secrets = %v, want none", prod)
	}
}

func TestEnvironmentSecretsNotFound(t *testing.T) {
	t.Parallel()
	s := newSecretStore(t)
	ctx := t.Context()
	tests := []struct {
		name        string
		project     string
		environment string
		want        string
	}{
		{"project", "nope", "dev", "no such project"},
		{"environment", "payments", "nope", "no such environment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := map[string]func() error{
				"set":    func() error { return s.SetEnvironmentSecret(ctx, tt.project, tt.environment, "A", []byte("x")) },
				"delete": func() error { return s.DeleteEnvironmentSecret(ctx, tt.project, tt.environment, "A") },
				"list":   func() error { _, err := s.EnvironmentSecrets(ctx, tt.project, tt.environment); return err },
			}
			for op, call := range calls {
				err := call()
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("%s: got %v, want ErrNotFound", op, err)
				}
				if !strings.HasSuffix(err.Error(), ": "+tt.want) {
					t.Errorf("%s: got %q, want it to end %q", op, err, tt.want)
				}
			}
		})
	}
	err := s.SetEnvironmentSecret(ctx, "payments", "nope", "ARM_CLIENT_SECRET", []byte("x"))
	if got, want := err.Error(), `setting secret ARM_CLIENT_SECRET of environment "nope" in project "payments": no such environment`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEnvironmentSecretNames(t *testing.T) {
	t.Parallel()
	s := newSecretStore(t)
	ctx := t.Context()
	tests := []struct {
		name string
		ok   bool
	}{
		{"ARM_CLIENT_SECRET", true},
		{"TF_VAR_db_password", true},
		{"_", true},
		{"a1", true},
		{strings.Repeat("A", 128), true},
		{"", false},
		{"1A", false},
		{"ARM-CLIENT", false},
		{"A B", false},
		{"A.B", false},
		{"A\x00", false},
		{"PASSÉ", false},
		{strings.Repeat("A", 129), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := s.SetEnvironmentSecret(ctx, "payments", "dev", tt.name, []byte("x"))
			if tt.ok {
				if err != nil {
					t.Errorf("SetEnvironmentSecret(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidName) {
				t.Fatalf("SetEnvironmentSecret(%q) = %v, want ErrInvalidName", tt.name, err)
			}
			if !strings.Contains(err.Error(), "use 1-128 letters, digits or '_', not starting with a digit") {
				t.Errorf("SetEnvironmentSecret(%q) = %q, want it to say what is allowed", tt.name, err)
			}
			// The table refuses the same names when written by hand.
			if _, err := s.db.ExecContext(ctx,
				`INSERT INTO environment_secrets (environment_id, name, ciphertext, updated_at)
				SELECT id, ?, ?, 'now' FROM environments WHERE name = 'prod'`, tt.name, []byte{0}); err == nil {
				t.Errorf("inserting %q by hand succeeded, want the CHECK to refuse it", tt.name)
			}
		})
	}
}

func TestEnvironmentSecretTooLarge(t *testing.T) {
	t.Parallel()
	s := newSecretStore(t)
	ctx := t.Context()
	if err := s.SetEnvironmentSecret(ctx, "payments", "dev", "LARGEST", make([]byte, maxCiphertextBytes)); err != nil {
		t.Fatal(err)
	}
	err := s.SetEnvironmentSecret(ctx, "payments", "dev", "TOO_LARGE", make([]byte, maxCiphertextBytes+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
}

func TestEnvironmentSecretEmptyCiphertext(t *testing.T) {
	t.Parallel()
	s := newSecretStore(t)
	ctx := t.Context()
	for _, c := range [][]byte{nil, {}} {
		err := s.SetEnvironmentSecret(ctx, "payments", "dev", "A", c)
		if err == nil || !strings.Contains(err.Error(), "ciphertext is empty") {
			t.Errorf("SetEnvironmentSecret(%#v) = %v, want an error saying it is empty", c, err)
		}
	}
	if n := count(t, s, "environment_secrets"); n != 0 {
		t.Errorf("%d secrets stored, want none", n)
	}
}

func TestDeletingEnvironmentRemovesSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		delete string
		left   int
	}{
		{"environment", `DELETE FROM environments WHERE name = 'dev'`, 1},
		{"project", `DELETE FROM projects`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSecretStore(t)
			ctx := t.Context()
			for _, env := range []string{"dev", "prod"} {
				if err := s.SetEnvironmentSecret(ctx, "payments", env, "ARM_CLIENT_SECRET", []byte("x")); err != nil {
					t.Fatal(err)
				}
			}
			if tt.name == "project" {
				// A deployment does not stop a project delete cascading
				// through its environments to their secrets.
				if _, _, err := s.CreateBlueprint(ctx, "payments", "aks", "", doc(1), ""); err != nil {
					t.Fatal(err)
				}
				if _, err := s.CreateDeployment(ctx, "payments", "aks", 1, "dev", ""); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.db.ExecContext(ctx, tt.delete); err != nil {
				t.Fatal(err)
			}
			if n := count(t, s, "environment_secrets"); n != tt.left {
				t.Errorf("%d secrets left, want %d", n, tt.left)
			}
		})
	}
}
