package secrets

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/store"
)

// vaultEnv is a vault on a real SQLite file holding project "payments"
// with environments "dev" and "prod", and project "billing" with "dev".
type vaultEnv struct {
	path  string
	st    *store.Store
	vault *Vault
}

func newVault(t *testing.T) vaultEnv {
	t.Helper()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, pe := range [][2]string{{"payments", "dev"}, {"payments", "prod"}, {"billing", "dev"}} {
		if _, err := st.Project(ctx, pe[0]); errors.Is(err, store.ErrNotFound) {
			if _, err := st.CreateProject(ctx, pe[0], ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.CreateEnvironment(ctx, pe[0], pe[1], nil); err != nil {
			t.Fatal(err)
		}
	}
	return vaultEnv{path: path, st: st, vault: NewVault(st, newBox(t))}
}

func names(t *testing.T, v *Vault, project, environment string) []string {
	t.Helper()
	infos, err := v.Names(t.Context(), project, environment)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, i := range infos {
		if i.UpdatedAt.IsZero() {
			t.Errorf("secret %s has no UpdatedAt", i.Name)
		}
		ns = append(ns, i.Name)
	}
	return ns
}

func values(t *testing.T, v *Vault, project, environment string) map[string]string {
	t.Helper()
	vs, err := v.Values(t.Context(), project, environment)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestVaultSetReplaceDelete(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	v := e.vault
	set := map[string]string{
		"ARM_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000001",
		"ARM_CLIENT_ID":       "00000000-0000-0000-0000-000000000002",
		"ARM_CLIENT_SECRET":   "Xy8Q~not.a.real.secret",
		"ARM_TENANT_ID":       "00000000-0000-0000-0000-000000000003",
		"TF_VAR_db_password":  "correct horse battery staple",
	}
	for name, value := range set {
		if err := v.Set(ctx, "payments", "dev", name, value); err != nil {
			t.Fatal(err)
		}
	}
	wantNames := []string{"ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_SUBSCRIPTION_ID", "ARM_TENANT_ID", "TF_VAR_db_password"}
	if diff := cmp.Diff(wantNames, names(t, v, "payments", "dev")); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(set, values(t, v, "payments", "dev")); diff != "" {
		t.Errorf("Values (-want +got):\n%s", diff)
	}

	before, err := v.Names(ctx, "payments", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Set(ctx, "payments", "dev", "ARM_CLIENT_SECRET", "rotated"); err != nil {
		t.Fatal(err)
	}
	set["ARM_CLIENT_SECRET"] = "rotated"
	if diff := cmp.Diff(set, values(t, v, "payments", "dev")); diff != "" {
		t.Errorf("Values after replacing (-want +got):\n%s", diff)
	}
	after, err := v.Names(ctx, "payments", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || after[1].Name != "ARM_CLIENT_SECRET" || after[1].UpdatedAt.Before(before[1].UpdatedAt) {
		t.Errorf("Names after replacing = %+v, want the same names with ARM_CLIENT_SECRET updated since %v", after, before[1].UpdatedAt)
	}

	if err := v.Delete(ctx, "payments", "dev", "ARM_CLIENT_SECRET"); err != nil {
		t.Fatal(err)
	}
	delete(set, "ARM_CLIENT_SECRET")
	if err := v.Delete(ctx, "payments", "dev", "ARM_CLIENT_SECRET"); err != nil {
		t.Errorf("deleting a secret that is not set: %v, want nil", err)
	}
	if diff := cmp.Diff(set, values(t, v, "payments", "dev")); diff != "" {
		t.Errorf("Values after deleting (-want +got):\n%s", diff)
	}

	// Other environments and projects are untouched, and empty.
	for _, pe := range [][2]string{{"payments", "prod"}, {"billing", "dev"}} {
		if got := names(t, v, pe[0], pe[1]); len(got) != 0 {
			t.Errorf("Names(%s/%s) = %q, want none", pe[0], pe[1], got)
		}
		if got := values(t, v, pe[0], pe[1]); len(got) != 0 {
			t.Errorf("Values(%s/%s) = %q, want none", pe[0], pe[1], got)
		}
	}
}

func TestVaultSameNameInEachEnvironment(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	for _, pe := range [][2]string{{"payments", "dev"}, {"payments", "prod"}, {"billing", "dev"}} {
		if err := e.vault.Set(ctx, pe[0], pe[1], "ARM_CLIENT_SECRET", pe[0]+"-"+pe[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, pe := range [][2]string{{"payments", "dev"}, {"payments", "prod"}, {"billing", "dev"}} {
		want := map[string]string{"ARM_CLIENT_SECRET": pe[0] + "-" + pe[1]}
		if diff := cmp.Diff(want, values(t, e.vault, pe[0], pe[1])); diff != "" {
			t.Errorf("Values(%s/%s) (-want +got):\n%s", pe[0], pe[1], diff)
		}
	}
}

func TestVaultInvalidNames(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	for _, name := range []string{"A", "_", "a", "_1", "tf_var_x", strings.Repeat("A", 128)} {
		if err := e.vault.Set(ctx, "payments", "dev", name, "v"); err != nil {
			t.Errorf("Set(%q) = %v, want nil", name, err)
		}
	}
	tests := []struct {
		name   string
		secret string
	}{
		{"empty", ""},
		{"leading digit", "1PASSWORD"},
		{"dash", "ARM-CLIENT-ID"},
		{"space", "DB PASSWORD"},
		{"dot", "db.password"},
		{"equals", "A=B"},
		{"nul", "A\x00B"},
		{"non-ASCII", "MOT_DE_PASSÉ"},
		{"too long", strings.Repeat("A", 129)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for op, call := range map[string]func() error{
				"Set":    func() error { return e.vault.Set(ctx, "payments", "dev", tt.secret, "value") },
				"Delete": func() error { return e.vault.Delete(ctx, "payments", "dev", tt.secret) },
			} {
				err := call()
				if !errors.Is(err, store.ErrInvalidName) {
					t.Fatalf("%s(%q) = %v, want store.ErrInvalidName", op, tt.secret, err)
				}
				if want := "use 1-128 letters, digits or '_', not starting with a digit"; !strings.Contains(err.Error(), want) {
					t.Errorf("%s(%q) = %q, want it to say %q", op, tt.secret, err, want)
				}
			}
		})
	}
	if got := len(names(t, e.vault, "payments", "dev")); got != 6 {
		t.Errorf("%d secrets stored, want only the 6 valid ones", got)
	}
}

func TestVaultValueSize(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	largest := strings.Repeat("v", 64<<10)
	if err := e.vault.Set(ctx, "payments", "dev", "LARGEST", largest); err != nil {
		t.Fatalf("Set of a 64 KiB value: %v", err)
	}
	if got := values(t, e.vault, "payments", "dev")["LARGEST"]; got != largest {
		t.Errorf("64 KiB value read back as %d bytes", len(got))
	}

	err := e.vault.Set(ctx, "payments", "dev", "TOO_LARGE", largest+"v")
	if !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("Set of 64 KiB + 1 = %v, want store.ErrTooLarge", err)
	} else if want := `setting secret TOO_LARGE of environment "dev" in project "payments": the value is 65537 bytes; the limit is 65536 bytes (64 KiB)`; err.Error() != want {
		t.Errorf("Set of 64 KiB + 1 = %q, want %q", err, want)
	}

	err = e.vault.Set(ctx, "payments", "dev", "EMPTY", "")
	if err == nil || !strings.Contains(err.Error(), "the value is empty; to remove a secret, delete it") {
		t.Errorf("Set of an empty value = %v, want an error pointing to Delete", err)
	}
	if diff := cmp.Diff([]string{"LARGEST"}, names(t, e.vault, "payments", "dev")); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
}

func TestVaultMissingEnvironment(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	for _, pe := range [][2]string{{"nope", "dev"}, {"payments", "nope"}} {
		calls := map[string]func() error{
			"Set":    func() error { return e.vault.Set(ctx, pe[0], pe[1], "A", "v") },
			"Delete": func() error { return e.vault.Delete(ctx, pe[0], pe[1], "A") },
			"Names":  func() error { _, err := e.vault.Names(ctx, pe[0], pe[1]); return err },
			"Values": func() error { _, err := e.vault.Values(ctx, pe[0], pe[1]); return err },
		}
		for op, call := range calls {
			if err := call(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s(%s/%s) = %v, want store.ErrNotFound", op, pe[0], pe[1], err)
			}
		}
	}
}

func TestVaultCanceledContext(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := e.vault.Set(ctx, "payments", "dev", "A", "v"); !errors.Is(err, context.Canceled) {
		t.Errorf("Set = %v, want context.Canceled", err)
	}
	if _, err := e.vault.Values(ctx, "payments", "dev"); !errors.Is(err, context.Canceled) {
		t.Errorf("Values = %v, want context.Canceled", err)
	}
}

// TestVaultDatabaseHoldsNoPlaintext reads the SQLite files byte for byte,
// both while the value may sit in the write-ahead log and after Close has
// checkpointed it into the database file.
func TestVaultDatabaseHoldsNoPlaintext(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	const name = "TF_VAR_db_password"
	const value = "plaintext-canary-7f3a9c1e-do-not-store"
	if err := e.vault.Set(ctx, "payments", "dev", name, value); err != nil {
		t.Fatal(err)
	}
	// A replaced value must not linger either.
	if err := e.vault.Set(ctx, "payments", "dev", name, value+"-2"); err != nil {
		t.Fatal(err)
	}
	if err := e.vault.Set(ctx, "payments", "dev", name, value); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		var all []byte
		for _, p := range []string{e.path, e.path + "-wal"} {
			b, err := os.ReadFile(p)
			if errors.Is(err, os.ErrNotExist) && p != e.path {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(value)) {
				t.Errorf("%s: %s holds the plaintext value", when, filepath.Base(p))
			}
			all = append(all, b...)
		}
		// The name is stored in clear; finding it shows the files read
		// hold the row.
		if !bytes.Contains(all, []byte(name)) {
			t.Errorf("%s: the database files do not hold the secret's name, so this test reads the wrong files", when)
		}
	}
	check("while open")
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	check("after close")
}

func TestVaultCiphertextMovedElsewhereDoesNotOpen(t *testing.T) {
	t.Parallel()
	const value = "moved-value-canary"
	tests := []struct {
		name                         string
		project, environment, secret string
	}{
		{"other name", "payments", "dev", "ARM_CLIENT_ID"},
		{"other environment", "payments", "prod", "ARM_CLIENT_SECRET"},
		{"other project", "billing", "dev", "ARM_CLIENT_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newVault(t)
			ctx := t.Context()
			if err := e.vault.Set(ctx, "payments", "dev", "ARM_CLIENT_SECRET", value); err != nil {
				t.Fatal(err)
			}
			stored, err := e.st.EnvironmentSecrets(ctx, "payments", "dev")
			if err != nil {
				t.Fatal(err)
			}
			if err := e.st.SetEnvironmentSecret(ctx, tt.project, tt.environment, tt.secret, stored[0].Ciphertext); err != nil {
				t.Fatal(err)
			}
			got, err := e.vault.Values(ctx, tt.project, tt.environment)
			if err == nil {
				t.Fatalf("Values(%s/%s) = %q, want an error", tt.project, tt.environment, got)
			}
			msg := err.Error()
			if want := "reading secret " + tt.secret + ` of environment "` + tt.environment + `" in project "` + tt.project + `"`; !strings.Contains(msg, want) {
				t.Errorf("error %q, want it to name the secret: %q", msg, want)
			}
			if strings.Contains(msg, value) {
				t.Errorf("error %q holds the value", msg)
			}
			if got != nil {
				t.Errorf("Values returned %q with its error", got)
			}
			// Names never decrypts, so it still lists the copy.
			if got := names(t, e.vault, tt.project, tt.environment); !slices.Contains(got, tt.secret) {
				t.Errorf("Names = %q, want it to list %s", got, tt.secret)
			}
			// With the copy gone, the original still opens.
			if err := e.vault.Delete(ctx, tt.project, tt.environment, tt.secret); err != nil {
				t.Fatal(err)
			}
			if got := values(t, e.vault, "payments", "dev")["ARM_CLIENT_SECRET"]; got != value {
				t.Errorf("original secret reads %q, want %q", got, value)
			}
		})
	}
}

func TestVaultWrongKey(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	if err := e.vault.Set(ctx, "payments", "dev", "ARM_CLIENT_SECRET", "wrong-key-canary"); err != nil {
		t.Fatal(err)
	}
	other := NewVault(e.st, newBox(t))
	_, err := other.Values(ctx, "payments", "dev")
	if err == nil || !strings.Contains(err.Error(), "reading secret ARM_CLIENT_SECRET") || !strings.Contains(err.Error(), "CLOUDOVEN_SECRET_KEY") {
		t.Errorf("Values with another key = %v, want an error naming the secret and the key", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrong-key-canary") {
		t.Errorf("error %q holds the value", err)
	}
}

// TestVaultProjectDeleteRemovesSecrets deletes the project past the store,
// as the store has no delete yet, and relies on ON DELETE CASCADE.
func TestVaultProjectDeleteRemovesSecrets(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	for _, pe := range [][2]string{{"payments", "dev"}, {"payments", "prod"}, {"billing", "dev"}} {
		if err := e.vault.Set(ctx, pe[0], pe[1], "ARM_CLIENT_SECRET", "v"); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(e.path)+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DELETE FROM projects WHERE name = 'payments'`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM environment_secrets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d secrets left after deleting project payments, want 1 (billing's)", n)
	}
	if _, err := e.vault.Names(ctx, "payments", "dev"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Names of the deleted project = %v, want store.ErrNotFound", err)
	}
	if diff := cmp.Diff(map[string]string{"ARM_CLIENT_SECRET": "v"}, values(t, e.vault, "billing", "dev")); diff != "" {
		t.Errorf("billing/dev (-want +got):\n%s", diff)
	}
}

// TestVaultSetRefusesAnotherKey: once a secret is sealed with one key, a vault with another
// key (a wrong CLOUDOVEN_SECRET_KEY, a key file made anew) must not seal more beside it:
// no key would then open every secret of the database.
func TestVaultSetRefusesAnotherKey(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	if err := e.vault.Set(ctx, "payments", "dev", "ARM_CLIENT_SECRET", "sealed-with-the-first-key"); err != nil {
		t.Fatal(err)
	}
	other := NewVault(e.st, newBox(t))
	err := other.Set(ctx, "billing", "dev", "ARM_CLIENT_SECRET", "sealed-with-another-key")
	if err == nil {
		t.Fatal("Set with another key than the database's secrets were sealed with: no error")
	}
	if !errors.Is(err, ErrKeyMismatch) || strings.Contains(err.Error(), "sealed-with-another-key") {
		t.Errorf("Set with another key = %q, want ErrKeyMismatch, without the value", err)
	}
	if got := names(t, e.vault, "billing", "dev"); len(got) != 0 {
		t.Errorf("billing/dev holds %q after the refused Set", got)
	}
	// The right key still sets secrets.
	if err := e.vault.Set(ctx, "billing", "dev", "ARM_CLIENT_SECRET", "v"); err != nil {
		t.Errorf("Set with the database's key: %v", err)
	}
}
