package runs

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

func TestServiceRedactsSecrets(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunPlanned)
	log := f.log(t, r.ID)
	if strings.Contains(log, "hunter2") || !strings.Contains(log, "using token [redacted] now") {
		t.Errorf("log:\n%s", log)
	}

	if _, err := f.svc.Discard(ctx, r.ID, "ada"); err != nil {
		t.Fatal(err)
	}
	r2, err := f.svc.Plan(ctx, "payments", f.deps[1], "ada", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{r.ID} {
		run, err := f.store.Run(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		_, planJSON, err := f.svc.savedPlan(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(planJSON, []byte(secret)) {
			t.Error("plan JSON holds the secret")
		}
	}
	f.waitState(t, r2.ID, store.RunPlanned)
	if jobs := f.exec.jobsOf(r2.ID); !slices.Contains(jobs[0].Steps[2], "-destroy") {
		t.Errorf("destroy plan steps %q", jobs[0].Steps)
	}
}

func TestServiceErroredRunIsRedacted(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 2)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.exec.mu.Lock()
	f.exec.fail[r.ID] = 1
	f.exec.mu.Unlock()
	f.waitStarted(t, r.ID)
	f.exec.gate(r.ID) <- struct{}{}
	errored := f.waitState(t, r.ID, store.RunErrored)
	// The run says why, not only that terraform failed: its first error, redacted.
	if errored.Error != "terraform exited with code 1: Error: boom [redacted] (main.tf line 3, in terraform_data.x) (the log has the rest)" {
		t.Errorf("error %q", errored.Error)
	}
	log := f.log(t, r.ID)
	if strings.Contains(log, "hunter2") || !strings.Contains(log, "Error: boom [redacted]") || !strings.Contains(log, "it broke") {
		t.Errorf("log:\n%s", log)
	}
	// The deployment is free again.
	r2, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, r2.ID)
	f.exec.gate(r2.ID) <- struct{}{}
	f.waitState(t, r2.ID, store.RunPlanned)
}

func TestServiceJobsUseTheEnvironmentsRunner(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	s, deps := newStore(t)
	// deps[0]'s environment names its own image and network mode, deps[1]'s
	// only a network mode, deps[2]'s nothing.
	prepared := map[int64]Prepared{
		deps[0]: {Image: "registry.example.com/terraform:1.9.8", NetworkMode: "none"},
		deps[1]: {NetworkMode: "bridge"},
		deps[2]: {},
	}
	exec := newFakeExecutor(false)
	svc := New(Options{Store: s, Executor: exec, Hub: NewHub(s, nil), Sealer: newSealer(t), Image: "cloudoven/terraform:server", NetworkMode: "host",
		Prepare: func(_ context.Context, _ string, deploymentID int64) (Prepared, error) {
			return prepared[deploymentID], nil
		}})
	sctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); svc.Wait() }()
	if err := svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, exec: exec}
	tests := []struct {
		name                 string
		deployment           int64
		wantImage, wantNetwk string
	}{
		{"environment's image and network mode", deps[0], "registry.example.com/terraform:1.9.8", "none"},
		{"environment's network mode, server's image", deps[1], "cloudoven/terraform:server", "bridge"},
		{"server's image and network mode", deps[2], "cloudoven/terraform:server", "host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			r, err := svc.Plan(ctx, "payments", tt.deployment, "ada", false)
			if err != nil {
				t.Fatal(err)
			}
			f.waitState(t, r.ID, store.RunPlanned)
			if _, err := svc.Approve(ctx, r.ID, "bob"); err != nil {
				t.Fatal(err)
			}
			f.waitState(t, r.ID, store.RunApplied)
			jobs := exec.jobsOf(r.ID)
			if len(jobs) != 2 {
				t.Fatalf("%d jobs, want plan and apply", len(jobs))
			}
			for _, j := range jobs {
				if j.Image != tt.wantImage || j.NetworkMode != tt.wantNetwk {
					t.Errorf("%s job: image %q network mode %q, want %q %q", j.Steps[len(j.Steps)-1][0], j.Image, j.NetworkMode, tt.wantImage, tt.wantNetwk)
				}
			}
		})
	}
}

// An environment that controls egress gets its runs a network of their own, whatever the
// server's network mode, with the deployment's state address the one place it always reaches.
func TestServiceJobsHoldEgress(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	s, deps := newStore(t)
	exec := newFakeExecutor(false)
	allow := []string{"management.azure.com"}
	svc := New(Options{Sealer: newSealer(t), Store: s, Executor: exec, Hub: NewHub(s, nil), NetworkMode: "host", StateURL: "http://172.17.0.1:8080/",
		Prepare: func(context.Context, string, int64) (Prepared, error) {
			return Prepared{Egress: &runner.Egress{Allow: allow}}, nil
		}})
	sctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); svc.Wait() }()
	if err := svc.Start(sctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s, exec: exec}
	ctx := t.Context()
	r, err := svc.Plan(ctx, "payments", deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunPlanned)
	if _, err := svc.Approve(ctx, r.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunApplied)
	jobs := exec.jobsOf(r.ID)
	if len(jobs) != 2 {
		t.Fatalf("%d jobs, want plan and apply", len(jobs))
	}
	want := &runner.Egress{Allow: allow, State: fmt.Sprintf("http://172.17.0.1:8080/api/v1/state/payments/%d", deps[0])}
	for _, j := range jobs {
		if diff := cmp.Diff(want, j.Egress); diff != "" || j.NetworkMode != "" {
			t.Errorf("%s job: network mode %q, egress (-want +got):\n%s", j.Steps[len(j.Steps)-1][0], j.NetworkMode, diff)
		}
		if j.Env["TF_HTTP_ADDRESS"] != want.State {
			t.Errorf("%s job: TF_HTTP_ADDRESS %q, want the egress state address", j.Steps[len(j.Steps)-1][0], j.Env["TF_HTTP_ADDRESS"])
		}
	}
}
