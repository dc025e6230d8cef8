package state

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// backendConfig is a configuration of two terraform_data resources whose
// state lives on CloudOven's http backend at address; the credentials come
// from TF_HTTP_USERNAME and TF_HTTP_PASSWORD.
func backendConfig(address string) string {
	return fmt.Sprintf(`terraform {
  backend "http" {
    address        = %[1]q
    lock_address   = %[1]q
    unlock_address = %[1]q
  }
}

variable "x" {
  type    = string
  default = "one"
}

resource "terraform_data" "a" {
  input = var.x
}

resource "terraform_data" "b" {
  input = terraform_data.a.output
}

output "b" {
  value = terraform_data.b.output
}

output "secret" {
  value     = "s3cr3t-${var.x}"
  sensitive = true
}
`, address)
}

// workdir writes the configuration into a fresh directory and runs
// terraform init there.
func workdir(t *testing.T, tf *terraform, address string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(backendConfig(address)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := tf.run(t.Context(), dir, "init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	return dir
}

type terraform struct {
	path string
	env  []string
}

func newTerraform(t *testing.T, user, pass string) *terraform {
	t.Helper()
	path := testenv.Terraform(t)
	env := os.Environ()
	for k, v := range testenv.TerraformEnv(t) {
		env = append(env, k+"="+v)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+os.DevNull, "TF_HTTP_USERNAME="+user, "TF_HTTP_PASSWORD="+pass)
	return &terraform{path: path, env: env}
}

func (tf *terraform) run(ctx context.Context, dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tf.path, args...)
	cmd.Dir = dir
	cmd.Env = tf.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestTerraformUsesTheServer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tf := newTerraform(t, f.user, f.pass)
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	ctx := t.Context()
	dir := workdir(t, tf, Address(ts.URL, "payments", f.deployment.ID))

	if out, err := tf.run(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	v1, err := f.store.LatestStateVersion(ctx, f.deployment.ID)
	if err != nil {
		t.Fatalf("no state version after the first apply: %v", err)
	}
	if v1.Resources != 2 || !v1.Outputs["secret"].Sensitive || v1.Outputs["b"].Sensitive {
		t.Errorf("first version: %d resources, outputs %+v; want 2 resources, secret sensitive and b not", v1.Resources, v1.Outputs)
	}
	if v1.RunID != "run-1" {
		t.Errorf("first version written by run %q, want run-1", v1.RunID)
	}
	if _, err := f.store.StateLock(ctx, f.deployment.ID); err == nil {
		t.Error("the state is still locked after apply")
	}

	if out, err := tf.run(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color", "-var", "x=two"); err != nil {
		t.Fatalf("second terraform apply: %v\n%s", err, out)
	}
	vs, err := f.store.StateVersions(ctx, f.deployment.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Version != 2 || vs[0].Serial <= v1.Serial || vs[0].Lineage != v1.Lineage {
		t.Fatalf("after the second apply: versions %+v; want version 2 with a higher serial of the same lineage", vs)
	}
	out, err := tf.run(ctx, dir, "output", "-raw", "b")
	if err != nil || out != "two" {
		t.Errorf("terraform output b = %q, %v; want two", out, err)
	}
	stored := f.latestState(t)
	if !bytes.Contains(stored, []byte(`"two"`)) {
		t.Errorf("the stored state does not hold the new value:\n%s", stored)
	}
}

// latestState reads the newest state through the server and checks that
// it parses.
func (f *fixture) latestState(t *testing.T) []byte {
	t.Helper()
	w := f.do(t, "GET", f.path, nil)
	wantStatus(t, "GET", w, http.StatusOK)
	var s struct {
		Serial  int64  `json:"serial"`
		Lineage string `json:"lineage"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil || s.Lineage == "" {
		t.Fatalf("the newest state does not parse (%v):\n%s", err, w.Body.String())
	}
	return w.Body.Bytes()
}

// gate holds the first state write until some LOCK request has been
// refused, so two applies are sure to overlap without sleeping: the one
// that took the lock cannot finish before the other has tried.
type gate struct {
	next      http.Handler
	refused   chan struct{}
	once      sync.Once
	firstPost sync.Once
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		g.firstPost.Do(func() {
			select {
			case <-g.refused:
			case <-time.After(2 * time.Minute):
			case <-r.Context().Done():
			}
		})
	}
	rec := &statusRecorder{ResponseWriter: w}
	g.next.ServeHTTP(rec, r)
	if r.Method == "LOCK" && rec.status == http.StatusLocked {
		g.once.Do(func() { close(g.refused) })
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func TestConcurrentAppliesAreSerialised(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tf := newTerraform(t, f.user, f.pass)
	ts := httptest.NewServer(&gate{next: f.srv, refused: make(chan struct{})})
	t.Cleanup(ts.Close)
	ctx := t.Context()
	address := Address(ts.URL, "payments", f.deployment.ID)
	dirs := []string{workdir(t, tf, address), workdir(t, tf, address)}

	type result struct {
		out string
		err error
	}
	results := make([]result, len(dirs))
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Go(func() {
			out, err := tf.run(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=0s",
				"-var", fmt.Sprintf("x=apply-%d", i))
			results[i] = result{out, err}
		})
	}
	wg.Wait()

	var ok, locked int
	for i, r := range results {
		switch {
		case r.err == nil:
			ok++
		case strings.Contains(r.out, "Error acquiring the state lock"):
			locked++
		default:
			t.Errorf("apply %d failed other than on the lock: %v\n%s", i, r.err, r.out)
		}
	}
	if ok != 1 || locked != 1 {
		t.Fatalf("%d applies succeeded and %d failed on the lock; want one each\n%s\n---\n%s",
			ok, locked, results[0].out, results[1].out)
	}

	// The loser can apply once the winner is done; it then builds on the
	// winner's state.
	for i, r := range results {
		if r.err == nil {
			continue
		}
		if out, err := tf.run(ctx, dirs[i], "apply", "-auto-approve", "-input=false", "-no-color", "-lock-timeout=30s",
			"-var", fmt.Sprintf("x=apply-%d", i)); err != nil {
			t.Fatalf("apply %d after the lock was released: %v\n%s", i, err, out)
		}
	}
	vs, err := f.store.StateVersions(ctx, f.deployment.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) < 2 {
		t.Fatalf("%d state versions, want at least 2", len(vs))
	}
	for i := 1; i < len(vs); i++ {
		newer, older := vs[i-1], vs[i]
		if newer.Lineage != older.Lineage || newer.Serial <= older.Serial {
			t.Errorf("version %d (serial %d, lineage %s) does not follow version %d (serial %d, lineage %s)",
				newer.Version, newer.Serial, newer.Lineage, older.Version, older.Serial, older.Lineage)
		}
	}
	f.latestState(t)
	if _, err := f.store.StateLock(ctx, f.deployment.ID); err == nil {
		t.Error("the state is still locked after both applies")
	}
}

// TestTerraformWithPlanCredentials runs the real terraform with a plan's
// credentials: plan works (it reads the state and takes and releases its
// lock), apply cannot write its state, and force-unlock is refused to
// every run's credentials.
func TestTerraformWithPlanCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ts := httptest.NewServer(f.srv)
	t.Cleanup(ts.Close)
	ctx := t.Context()
	address := Address(ts.URL, "payments", f.deployment.ID)
	applier := newTerraform(t, f.user, f.pass)
	if out, err := applier.run(ctx, workdir(t, applier, address), "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}

	plan := f.as("run-2", ScopePlan)
	planner := newTerraform(t, plan.user, plan.pass)
	dir := workdir(t, planner, address)
	out, err := planner.run(ctx, dir, "plan", "-input=false", "-no-color", "-var", "x=two")
	if err != nil || !strings.Contains(out, "2 to change") {
		t.Fatalf("terraform plan with a plan's credentials: %v\n%s", err, out)
	}
	out, err = planner.run(ctx, dir, "apply", "-auto-approve", "-input=false", "-no-color", "-var", "x=two")
	if err == nil || !strings.Contains(out, "403") {
		t.Errorf("terraform apply with a plan's credentials: %v, want it refused with 403\n%s", err, out)
	}
	if vs, err := f.store.StateVersions(ctx, f.deployment.ID, 0); err != nil || len(vs) != 1 {
		t.Errorf("%d state versions (err %v); want only the apply's", len(vs), err)
	}
	if l, err := f.store.StateLock(ctx, f.deployment.ID); err == nil {
		t.Errorf("terraform left its lock %+v", l)
	}

	wantStatus(t, "LOCK", f.do(t, "LOCK", f.path, lockInfo("stuck")), http.StatusOK)
	for name, tf := range map[string]*terraform{"plan": planner, "apply": applier} {
		out, err := tf.run(ctx, dir, "force-unlock", "-force", "stuck")
		if err == nil {
			t.Errorf("terraform force-unlock with %s credentials succeeded:\n%s", name, out)
		}
	}
	if l, err := f.store.StateLock(ctx, f.deployment.ID); err != nil || l.ID != "stuck" {
		t.Errorf("the lock is %+v, %v after refused force-unlocks; want stuck", l, err)
	}
}
