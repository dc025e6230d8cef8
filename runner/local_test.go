package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// localConfig reads a variable, so a job's Env reaching terraform shows in its output.
const localConfig = `variable "greeting" {
  type = string
}

resource "terraform_data" "greeting" {
  input = var.greeting
}

output "greeting" {
  value = terraform_data.greeting.output
}
`

// newLocal is the executor under test on the pinned terraform.
func newLocal(t *testing.T, grace time.Duration) *Local {
	t.Helper()
	return NewLocal(LocalOptions{Terraform: testenv.Terraform(t), Grace: grace})
}

// localEnvOf is the job environment of the tests: no CLI configuration of the developer's.
func localEnvOf(t *testing.T, more map[string]string) map[string]string {
	env := testenv.TerraformEnv(t)
	for k, v := range more {
		env[k] = v
	}
	return env
}

// assertNoWorkspace checks that the run's workspace is gone.
func assertNoWorkspace(t *testing.T, runID string) {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(os.TempDir(), "cloudoven-run-"+runID+"-*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("run %s left its workspace: %v", runID, left)
	}
}

func TestLocalPlanThenApplySavedPlan(t *testing.T) {
	t.Parallel()
	l := newLocal(t, 0)
	ctx := context.Background()
	env := localEnvOf(t, map[string]string{"TF_VAR_greeting": "hello from the job"})

	plan := Job{
		RunID: newRunID(t),
		Files: map[string][]byte{"main.tf": []byte(localConfig)},
		Steps: [][]string{
			{"init", "-input=false", "-no-color"},
			{"plan", "-input=false", "-no-color", "-out=tfplan"},
		},
		Collect: []string{"tfplan", "no-such-file"},
		Env:     env,
	}
	out := &output{t: t}
	res, err := l.Run(ctx, plan, out)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if res.ExitCode != 0 {
		t.Fatalf("plan exit code %d\n%s", res.ExitCode, out)
	}
	for _, want := range []string{"Terraform has been successfully initialized!", "Plan: 1 to add, 0 to change, 0 to destroy."} {
		if !out.has(want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if len(res.Files["tfplan"]) == 0 {
		t.Fatalf("tfplan not collected; got files %v", keys(res.Files))
	}
	if _, ok := res.Files["no-such-file"]; ok {
		t.Error("a missing Collect file was returned")
	}
	assertNoWorkspace(t, plan.RunID)

	apply := Job{
		RunID:   newRunID(t),
		Files:   plan.Files,
		Extra:   map[string][]byte{"tfplan": res.Files["tfplan"]},
		Steps:   [][]string{{"init", "-input=false", "-no-color"}, {"apply", "-input=false", "-no-color", "tfplan"}},
		Collect: []string{"terraform.tfstate"},
		Env:     env,
	}
	out = &output{t: t}
	res, err = l.Run(ctx, apply, out)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if res.ExitCode != 0 {
		t.Fatalf("apply exit code %d\n%s", res.ExitCode, out)
	}
	for _, want := range []string{"Apply complete! Resources: 1 added, 0 changed, 0 destroyed.", `greeting = "hello from the job"`} {
		if !out.has(want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !bytes.Contains(res.Files["terraform.tfstate"], []byte(`"hello from the job"`)) {
		t.Errorf("state after apply lacks the resource:\n%s", res.Files["terraform.tfstate"])
	}
	assertNoWorkspace(t, apply.RunID)
}

func TestLocalFailingStepStopsTheJob(t *testing.T) {
	t.Parallel()
	l := newLocal(t, 0)
	var out *output
	job := Job{
		RunID: newRunID(t),
		Files: map[string][]byte{"main.tf": []byte(dataConfig)},
		Steps: [][]string{
			{"init", "-input=false", "-no-color"},
			{"plan", "-input=false", "-no-color", "-var=undeclared=1"},
			{"version"},
		},
		Env: localEnvOf(t, nil),
	}
	var started []int
	job.Started = func(step int, _ time.Time) {
		started = append(started, step)
		// Told before the step runs: nothing of the plan's is out yet.
		if step == 1 && out.has("undeclared") {
			t.Error("Started heard of the plan after it printed")
		}
	}
	out = &output{t: t}
	res, err := l.Run(context.Background(), job, out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	if res.ExitCode != 1 || res.Step != 1 {
		t.Errorf("exit code %d at step %d, want 1 at step 1\n%s", res.ExitCode, res.Step, out)
	}
	if fmt.Sprint(started) != "[0 1]" {
		t.Errorf("Started heard of steps %v, want [0 1]: the init and the failing plan, not the version after it", started)
	}
	if !out.has("Value for undeclared variable") {
		t.Errorf("output lacks terraform's error:\n%s", out)
	}
	if out.has("Terraform v" + testenv.TerraformVersion) {
		t.Errorf("the step after the failing one ran:\n%s", out)
	}
	assertNoWorkspace(t, job.RunID)
}

// localLockedJob plans against a backend whose lock someone else holds: a step that waits
// until it is interrupted.
func localLockedJob(t *testing.T, b *lockedBackend) Job {
	backend := `terraform {
  backend "http" {
    address        = "` + b.url + `"
    lock_address   = "` + b.url + `"
    unlock_address = "` + b.url + `"
  }
}

`
	return Job{
		RunID: newRunID(t),
		Files: map[string][]byte{"main.tf": []byte(backend + dataConfig)},
		Steps: [][]string{
			{"init", "-input=false", "-no-color"},
			{"plan", "-input=false", "-no-color", "-lock-timeout=5m"},
		},
		Env: localEnvOf(t, nil),
	}
}

func TestLocalCancelInterruptsTerraform(t *testing.T) {
	t.Parallel()
	const grace = 20 * time.Second
	l := newLocal(t, grace)
	b := startLockedBackend(t)
	job := localLockedJob(t, b)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	canceled := make(chan time.Time, 1)
	go func() {
		<-b.locked
		canceled <- time.Now()
		cancel()
	}()
	out := &output{t: t}
	_, err := l.Run(ctx, job, out)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run error %v, want context.Canceled\n%s", err, out)
	}
	stopped := time.Since(<-canceled)
	// Well inside the grace period: terraform stopped on SIGINT, it was not killed.
	if stopped > grace/2 {
		t.Errorf("run returned %s after the cancel, want terraform to stop on SIGINT", stopped)
	}
	if !out.has("Interrupt received.") {
		t.Errorf("output lacks terraform's answer to SIGINT:\n%s", out)
	}
	assertNoWorkspace(t, job.RunID)
}

func TestLocalTimeoutStopsTheJob(t *testing.T) {
	t.Parallel()
	l := newLocal(t, 5*time.Second)
	b := startLockedBackend(t)
	job := localLockedJob(t, b)
	job.Timeout = 5 * time.Second

	start := time.Now()
	out := &output{t: t}
	_, err := l.Run(context.Background(), job, out)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 5s") {
		t.Fatalf("run error %v, want a timeout\n%s", err, out)
	}
	if took > job.Timeout+5*time.Second {
		t.Errorf("run took %s with a timeout of %s", took, job.Timeout)
	}
	select {
	case <-b.locked:
	default:
		t.Errorf("the job timed out before terraform waited on the lock:\n%s", out)
	}
	assertNoWorkspace(t, job.RunID)
}

// The server's environment (its secrets) never reaches terraform: only what terraform needs
// and the job's own variables, which win.
func TestLocalEnv(t *testing.T) {
	t.Parallel()
	server := map[string]string{
		"PATH":                 "/usr/local/bin:/usr/bin",
		"HOME":                 "/home/dev",
		"CLOUDOVEN_SECRET_KEY": "server-secret",
		"ARM_CLIENT_SECRET":    "developer-credential",
		"TF_CLI_CONFIG_FILE":   "/home/dev/.terraformrc",
	}
	lookup := func(k string) (string, bool) { v, ok := server[k]; return v, ok }
	got := localEnv("/tmp/ws", lookup, map[string]string{"TF_VAR_region": "westeurope", "TF_INPUT": "0", "ARM_ACCESS_KEY": "job-key"}, "")
	want := []string{
		"ARM_ACCESS_KEY=job-key",
		"CHECKPOINT_DISABLE=1",
		"HOME=/tmp/ws",
		"PATH=/usr/local/bin:/usr/bin",
		"TF_CLI_CONFIG_FILE=/home/dev/.terraformrc",
		"TF_INPUT=0",
		"TF_IN_AUTOMATION=1",
		"TF_VAR_region=westeurope",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("environment (-want +got):\n%s", diff)
	}

	// A job with Providers reads the mirror's configuration, not the developer's.
	if got := localEnv("/tmp/ws", lookup, nil, "/tmp/mirror/cloudoven.tfrc"); !slices.Contains(got, "TF_CLI_CONFIG_FILE=/tmp/mirror/cloudoven.tfrc") {
		t.Errorf("environment of a job with providers lacks the mirror's CLI configuration: %v", got)
	}

	delete(server, "TF_CLI_CONFIG_FILE")
	for _, kv := range localEnv("/tmp/ws", lookup, nil, "") {
		if strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") {
			t.Errorf("TF_CLI_CONFIG_FILE set though the server has none: %s", kv)
		}
	}
}

func TestLocalRefusesBeforeRunning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		bin  string
		job  Job
		want string
	}{
		{"missing binary", filepath.Join(t.TempDir(), "no-terraform"),
			Job{RunID: "r1", Steps: [][]string{{"version"}}}, "finding the terraform binary"},
		{"file both generated and extra", "",
			Job{RunID: "r2", Steps: [][]string{{"version"}}, Files: map[string][]byte{"a.tf": nil}, Extra: map[string][]byte{"a.tf": nil}},
			"file a.tf is both a generated and an extra file"},
		{"path outside the workspace", "",
			Job{RunID: "r3", Steps: [][]string{{"version"}}, Extra: map[string][]byte{"../x": nil}}, "clean relative path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := tt.bin
			if bin == "" {
				// Any executable: the job must fail before running it.
				bin = os.Args[0]
			}
			_, err := NewLocal(LocalOptions{Terraform: bin}).Run(context.Background(), tt.job, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// The local executor cannot hold a run's network in: a job that asks for it still runs, and
// its output says so first.
func TestLocalSaysItDoesNotEnforceEgress(t *testing.T) {
	t.Parallel()
	l := newLocal(t, 0)
	job := Job{RunID: newRunID(t), Steps: [][]string{{"version"}}, Env: localEnvOf(t, nil), Egress: &Egress{Allow: []string{"management.azure.com"}}}
	out := &output{t: t}
	res, err := l.Run(context.Background(), job, out)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
	}
	if len(out.lines) == 0 || out.lines[0] != LocalEgressWarning || !out.has("Terraform v") {
		t.Errorf("output does not start with the warning, then run terraform:\n%s", out)
	}
	job.RunID = newRunID(t)
	job.Egress = nil
	out = &output{t: t}
	if _, err := l.Run(context.Background(), job, out); err != nil || out.has("egress") {
		t.Errorf("a job without egress control: %v\n%s", err, out)
	}
}
