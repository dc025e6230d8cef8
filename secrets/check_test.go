package secrets

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/store"
)

func TestKeyID(t *testing.T) {
	t.Parallel()
	a, b := newKey(t), newKey(t)
	if KeyID(a) != KeyID(a) {
		t.Error("KeyID is not stable")
	}
	if KeyID(a) == KeyID(b) {
		t.Error("two keys have one id")
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(KeyID(a)) {
		t.Errorf("KeyID = %q, want 16 hex digits", KeyID(a))
	}
	box, err := NewBox(a)
	if err != nil {
		t.Fatal(err)
	}
	if box.KeyID() != KeyID(a) {
		t.Errorf("Box.KeyID = %q, want %q", box.KeyID(), KeyID(a))
	}
}

// forgetKeyID deletes the recorded key id, as a database from before the key check has
// none.
func forgetKeyID(t *testing.T, e vaultEnv) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(e.path)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(t.Context(), `DELETE FROM secret_key`); err != nil {
		t.Fatal(err)
	}
}

// sealedPlan stores a planned run of a new deployment with a (pretend) sealed plan.
func sealedPlan(t *testing.T, st *store.Store, id string) {
	t.Helper()
	ctx := t.Context()
	if _, _, err := st.CreateBlueprint(ctx, "payments", "app-"+id, "", []byte(`{"format": 1}`), ""); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "payments", "app-"+id, 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRun(ctx, store.Run{ID: id, DeploymentID: d.ID, Operation: store.RunOpPlan, BlueprintVersion: 1}); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []store.RunTransition{{To: store.RunRunning},
		{To: store.RunPlanned, Plan: []byte("sealed"), PlanJSON: []byte("sealed"), Summary: []byte("{}"), PlanSealed: true}} {
		if _, err := st.TransitionRun(ctx, id, tr); err != nil {
			t.Fatal(err)
		}
	}
}

func wantMismatch(t *testing.T, err error, wants ...string) *KeyMismatchError {
	t.Helper()
	var mm *KeyMismatchError
	if !errors.As(err, &mm) || !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("error %v, want a *KeyMismatchError", err)
	}
	for _, w := range append(wants, "restore the", "cloudoven secrets reset -confirm") {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\nwant it to say %q", err, w)
		}
	}
	return mm
}

func TestCheckKeyRecordsTheFirstKey(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	a, b := newBox(t), newBox(t)
	check, err := CheckKey(ctx, e.st, a)
	if err != nil {
		t.Fatal(err)
	}
	if !check.Recorded || check.KeyID != a.KeyID() {
		t.Errorf("first CheckKey = %+v, want the key's id recorded", check)
	}
	if check, err := CheckKey(ctx, e.st, a); err != nil || check.Recorded || check.Replaced != "" {
		t.Errorf("CheckKey again = %+v, %v; want nothing to do", check, err)
	}
	// Nothing sealed with a: another key may take its place.
	check, err = CheckKey(ctx, e.st, b)
	if err != nil {
		t.Fatal(err)
	}
	if check.Replaced != a.KeyID() {
		t.Errorf("CheckKey with another key and nothing sealed = %+v, want it to replace %s", check, a.KeyID())
	}
	if id, _ := e.st.SecretKeyID(ctx); id != b.KeyID() {
		t.Errorf("recorded key id %q, want %q", id, b.KeyID())
	}
}

func TestCheckKeyRefusesAnotherKey(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	for _, env := range []string{"dev", "prod"} {
		if err := e.vault.Set(ctx, "payments", env, "ARM_CLIENT_SECRET", "v"); err != nil {
			t.Fatal(err)
		}
	}
	sealedPlan(t, e.st, "run-1")
	other := newBox(t)
	_, err := CheckKey(ctx, e.st, other)
	mm := wantMismatch(t, err, "2 secrets and 1 saved plan", other.KeyID(), e.vault.box.KeyID(), "is not the key")
	if mm.Want != e.vault.box.KeyID() || mm.Have != other.KeyID() || mm.Sealed != (store.SealedCounts{Secrets: 2, Plans: 1}) {
		t.Errorf("KeyMismatchError %+v", mm)
	}
	if id, _ := e.st.SecretKeyID(ctx); id != e.vault.box.KeyID() {
		t.Errorf("a refused key changed the recorded id to %q", id)
	}
	if _, err := CheckKey(ctx, e.st, e.vault.box); err != nil {
		t.Errorf("CheckKey with the right key: %v", err)
	}
}

// TestCheckKeyOnADatabaseFromBeforeTheCheck: secrets, no key id. A key that opens none of
// them is refused; one that opens them is recorded, and the secrets it does not open (a
// wrong key once sealed them beside the others) are named.
func TestCheckKeyOnADatabaseFromBeforeTheCheck(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	ctx := t.Context()
	if err := e.vault.Set(ctx, "payments", "dev", "ARM_CLIENT_SECRET", "v"); err != nil {
		t.Fatal(err)
	}
	strayed, err := newBox(t).Seal([]byte("v"), additionalData("billing", "dev", "ARM_CLIENT_SECRET"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetEnvironmentSecret(ctx, "billing", "dev", "ARM_CLIENT_SECRET", strayed); err != nil {
		t.Fatal(err)
	}
	forgetKeyID(t, e)

	stranger := newBox(t)
	_, err = CheckKey(ctx, e.st, stranger)
	if mm := wantMismatch(t, err, "2 secrets", "opens none of them"); mm.Want != "" {
		t.Errorf("KeyMismatchError %+v, want no recorded key", mm)
	}
	if id, _ := e.st.SecretKeyID(ctx); id != "" {
		t.Errorf("a refused key was recorded: %q", id)
	}
	check, err := CheckKey(ctx, e.st, e.vault.box)
	if err != nil {
		t.Fatal(err)
	}
	if !check.Recorded || !cmp.Equal(check.Unreadable, []string{"billing/dev/ARM_CLIENT_SECRET"}) {
		t.Errorf("CheckKey = %+v, want the key recorded and billing's secret unreadable", check)
	}
	if id, _ := e.st.SecretKeyID(ctx); id != e.vault.box.KeyID() {
		t.Errorf("recorded key id %q, want %q", id, e.vault.box.KeyID())
	}
}

// Sealed plans with no key id recorded (only a hand-edited database has them) cannot be
// checked: refused.
func TestCheckKeyPlansWithoutAKeyID(t *testing.T) {
	t.Parallel()
	e := newVault(t)
	sealedPlan(t, e.st, "run-1")
	_, err := CheckKey(t.Context(), e.st, newBox(t))
	wantMismatch(t, err, "1 saved plan")
}

// TestUseKey covers what the server does at start: no key file and secrets in the database
// make no new key; no key file and nothing sealed make one; a wrong CLOUDOVEN_SECRET_KEY is
// refused, the right one used.
func TestUseKey(t *testing.T) {
	unsetKeyEnv(t)
	e := newVault(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "secret.key")

	box, check, err := UseKey(ctx, e.st, path)
	if err != nil {
		t.Fatal(err)
	}
	if !check.Created || !check.Recorded {
		t.Errorf("UseKey on a new database = %+v, want a key created and recorded", check)
	}
	if err := NewVault(e.st, box).Set(ctx, "payments", "dev", "ARM_CLIENT_SECRET", "v"); err != nil {
		t.Fatal(err)
	}
	if again, check, err := UseKey(ctx, e.st, path); err != nil || again.KeyID() != box.KeyID() || check.Created || check.Recorded {
		t.Errorf("UseKey again = %+v, %v", check, err)
	}

	keyFile, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, _, err = UseKey(ctx, e.st, path)
	if mm := wantMismatch(t, err, path, "does not exist", "1 secret", box.KeyID(), "none was made"); !mm.Missing {
		t.Errorf("KeyMismatchError %+v, want Missing", mm)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("UseKey made a key file although secrets were sealed with another: %v", err)
	}

	t.Setenv(keyEnv, base64.StdEncoding.EncodeToString(newKey(t)))
	_, _, err = UseKey(ctx, e.st, path)
	wantMismatch(t, err, "the key in CLOUDOVEN_SECRET_KEY", "is not the key", "set CLOUDOVEN_SECRET_KEY to the key that sealed them, or unset it")
	t.Setenv(keyEnv, strings.TrimSpace(string(keyFile)))
	if got, _, err := UseKey(ctx, e.st, path); err != nil || got.KeyID() != box.KeyID() {
		t.Errorf("UseKey with the right key in %s: %v", keyEnv, err)
	}
}

func TestReset(t *testing.T) {
	unsetKeyEnv(t)
	e := newVault(t)
	ctx := t.Context()
	for _, env := range []string{"dev", "prod"} {
		if err := e.vault.Set(ctx, "payments", env, "ARM_CLIENT_SECRET", "v"); err != nil {
			t.Fatal(err)
		}
	}
	sealedPlan(t, e.st, "run-1")
	lost := e.vault.box.KeyID()
	path := filepath.Join(t.TempDir(), "secret.key") // the key file is lost

	res, err := Reset(ctx, e.st, path, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Done || res.Matches || res.OldKeyID != lost || res.Forgot.SealedCounts != (store.SealedCounts{Secrets: 2, Plans: 1}) {
		t.Errorf("unconfirmed Reset = %+v", res)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an unconfirmed Reset made a key file: %v", err)
	}
	if c, _ := e.st.SealedCounts(ctx); c != (store.SealedCounts{Secrets: 2, Plans: 1}) {
		t.Errorf("an unconfirmed Reset deleted something: %+v left", c)
	}

	res, err = Reset(ctx, e.st, path, true)
	if err != nil {
		t.Fatal(err)
	}
	want := store.ForgotSealed{SealedCounts: store.SealedCounts{Secrets: 2, Plans: 1}, Discarded: 1}
	if !res.Done || res.Forgot != want || res.KeyID == "" || res.KeyID == lost {
		t.Errorf("Reset -confirm = %+v, want %+v deleted under a new key", res, want)
	}
	if c, _ := e.st.SealedCounts(ctx); c.Any() {
		t.Errorf("sealed after the reset: %+v", c)
	}
	key, created, err := LoadKey(path)
	if err != nil || created || KeyID(key) != res.KeyID {
		t.Errorf("the key file after the reset: id %s, created %v, %v; want the reset's key %s", KeyID(key), created, err, res.KeyID)
	}
	if id, _ := e.st.SecretKeyID(ctx); id != res.KeyID {
		t.Errorf("recorded key id %q, want %q", id, res.KeyID)
	}
	audit, err := e.st.AuditLog(ctx, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != "secrets.reset" || !strings.Contains(audit[0].Detail, "2 secrets and 1 saved plan") {
		t.Errorf("audit log %+v, want the reset", audit)
	}
	// The new key works, and a reset with it has nothing to do.
	box, _, err := UseKey(ctx, e.st, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := NewVault(e.st, box).Set(ctx, "payments", "dev", "ARM_CLIENT_SECRET", "new"); err != nil {
		t.Fatal(err)
	}
	if res, err := Reset(ctx, e.st, path, true); err != nil || !res.Matches || res.Done {
		t.Errorf("Reset with the matching key = %+v, %v; want nothing to do", res, err)
	}
	if c, _ := e.st.SealedCounts(ctx); c.Secrets != 1 {
		t.Errorf("a reset with the matching key deleted secrets: %+v", c)
	}
}
