package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/secrets"
	"github.com/cloudoven/cloudoven/store"
)

// keyEnv is the environment variable that holds the secret key instead of the key file.
const keyEnv = "CLOUDOVEN_SECRET_KEY"

// unsetKeyEnv unsets CLOUDOVEN_SECRET_KEY for the test (t.Setenv restores it after).
func unsetKeyEnv(t *testing.T) {
	t.Helper()
	t.Setenv(keyEnv, "")
	os.Unsetenv(keyEnv)
}

// sealedDataDir is a data directory as a server leaves it once someone has set a secret: a
// database holding an environment secret, and the key file it was sealed with.
func sealedDataDir(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dataDir := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(ctx, filepath.Join(dataDir, "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, created, err := secrets.LoadKey(filepath.Join(dataDir, "secret.key"))
	if err != nil || !created {
		t.Fatalf("LoadKey: created %v, %v", created, err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", nil); err != nil {
		t.Fatal(err)
	}
	if err := secrets.NewVault(st, box).Set(ctx, "team", "dev", "ARM_CLIENT_SECRET", "hunter2-very-secret"); err != nil {
		t.Fatal(err)
	}
	return dataDir
}

// serveRefusal runs `cloudoven serve` on dataDir and returns the error it refused to start
// with. A serve that starts is stopped and fails the test.
func serveRefusal(t *testing.T, dataDir string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data-dir", dataDir, "-log-level", "warn", "-runner", "none",
			"-admin-password", "correct-horse-battery"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "CloudOven is running") {
			cancel()
			go io.Copy(io.Discard, pr)
			<-done
			t.Fatalf("serve started: %s", sc.Text())
		}
	}
	err := <-done
	if err == nil {
		t.Fatal("serve returned without an error and without starting")
	}
	return err
}

func wantMessage(t *testing.T, err error, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\nwant it to say %q", err, w)
		}
	}
}

// secretNames lists the environment's secrets as the database holds them.
func secretNames(t *testing.T, dataDir string) []string {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dataDir, "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ss, err := st.EnvironmentSecrets(context.Background(), "team", "dev")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range ss {
		names = append(names, s.Name)
	}
	return names
}

// TestServeRefusesAMissingKeyFile: the key file is gone while the database holds secrets
// sealed with it. serve makes no new key (which could never open them), refuses to start and
// says what to do; once the key file is back, it starts.
func TestServeRefusesAMissingKeyFile(t *testing.T) {
	unsetKeyEnv(t)
	dataDir := sealedDataDir(t)
	keyFile := filepath.Join(dataDir, "secret.key")
	backup, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}

	err = serveRefusal(t, dataDir)
	wantMessage(t, err, keyFile, "1 secret", "restore", keyEnv, "cloudoven secrets reset -confirm")
	if _, err := os.Stat(keyFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("serve made a new key file: %v", err)
	}
	if got := secretNames(t, dataDir); len(got) != 1 {
		t.Errorf("secrets after the refusal: %q", got)
	}

	if err := os.WriteFile(keyFile, backup, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, stop := startServe(t, dataDir)
	stop()
}

// TestServeRefusesAWrongKey: CLOUDOVEN_SECRET_KEY holds a key other than the one the
// database's secrets were sealed with; serve refuses to start and says what to do.
func TestServeRefusesAWrongKey(t *testing.T) {
	unsetKeyEnv(t)
	dataDir := sealedDataDir(t)
	wrong := make([]byte, 32)
	if _, err := rand.Read(wrong); err != nil {
		t.Fatal(err)
	}
	t.Setenv(keyEnv, base64.StdEncoding.EncodeToString(wrong))
	err := serveRefusal(t, dataDir)
	wantMessage(t, err, keyEnv, "1 secret", "not the key", "restore", "cloudoven secrets reset -confirm")

	// The right key, from the environment, starts.
	right, err := os.ReadFile(filepath.Join(dataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(keyEnv, strings.TrimSpace(string(right)))
	_, _, stop := startServe(t, dataDir)
	stop()
}

// TestSecretsResetStartsOver: with the key lost for good, `cloudoven secrets reset` shows
// what it would delete and deletes nothing until -confirm; then serve starts with the new
// key and the old secrets are gone.
func TestSecretsResetStartsOver(t *testing.T) {
	unsetKeyEnv(t)
	dataDir := sealedDataDir(t)
	keyFile := filepath.Join(dataDir, "secret.key")
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}

	stdout, _, err := runCLI(t, "secrets", "reset", "-data-dir", dataDir)
	if err == nil {
		t.Fatal("secrets reset without -confirm: no error")
	}
	wantMessage(t, errors.New(stdout+err.Error()), "1 secret", "-confirm")
	if got := secretNames(t, dataDir); len(got) != 1 {
		t.Errorf("secrets reset without -confirm deleted secrets: %q left", got)
	}

	stdout, stderr, err := runCLI(t, "secrets", "reset", "-data-dir", dataDir, "-confirm")
	if err != nil {
		t.Fatalf("secrets reset -confirm: %v\n%s", err, stderr)
	}
	wantMessage(t, errors.New(stdout), "deleted 1 secret")
	if got := secretNames(t, dataDir); len(got) != 0 {
		t.Errorf("secrets after the reset: %q", got)
	}
	if _, err := os.Stat(keyFile); err != nil {
		t.Errorf("the reset made no new key file: %v", err)
	}
	_, _, stop := startServe(t, dataDir)
	stop()

	// With the key that opens everything, a reset deletes nothing.
	stdout, _, err = runCLI(t, "secrets", "reset", "-data-dir", dataDir, "-confirm")
	if err != nil {
		t.Fatal(err)
	}
	wantMessage(t, errors.New(stdout), "nothing to reset")
}

// TestServeSealsPlansStoredInTheClear: a database from before saved plans were sealed holds
// one in the clear; serve seals it at start, even when it runs no plans (-runner none).
func TestServeSealsPlansStoredInTheClear(t *testing.T) {
	unsetKeyEnv(t)
	dataDir := sealedDataDir(t)
	dbPath := filepath.Join(dataDir, "cloudoven.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(`{"format": 1}`), ""); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "app", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateRun(ctx, store.Run{ID: "run-old", DeploymentID: d.ID, Operation: store.RunOpPlan, BlueprintVersion: 1}); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []store.RunTransition{{To: store.RunRunning},
		{To: store.RunPlanned, Plan: []byte("x"), PlanJSON: []byte("x"), Summary: []byte("{}"), PlanSealed: true}} {
		if _, err := st.TransitionRun(ctx, "run-old", tr); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	// What an older build stored.
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(dbPath)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `UPDATE runs SET plan = ?, plan_json = ?, plan_sealed = 0`, []byte("PK TF_VAR_db_password=hunter2"), []byte(`{"variables":{"db_password":{"value":"hunter2"}}}`))
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	_, _, stop := startServe(t, dataDir)
	stop()
	st, err = store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Run(ctx, "run-old")
	if err != nil {
		t.Fatal(err)
	}
	plan, planJSON, err := st.RunPlan(ctx, "run-old")
	if err != nil {
		t.Fatal(err)
	}
	if !r.PlanSealed || strings.Contains(string(plan)+string(planJSON), "hunter2") {
		t.Errorf("after serve: sealed %v, plan %q, JSON %q", r.PlanSealed, plan, planJSON)
	}
}
