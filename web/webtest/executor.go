package webtest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/cloudoven/cloudoven/runner"
)

// FakePlanJSON is what `terraform show -json` prints for the fake plan: web is created, db
// updated in place.
const FakePlanJSON = `{"format_version":"1.2","terraform_version":"1.5.7","resource_changes":[` +
	`{"address":"terraform_data.web","mode":"managed","type":"terraform_data","name":"web","provider_name":"terraform.io/builtin/terraform","change":{"actions":["create"],"before":null,"after":{"input":"westeurope"},"after_unknown":{"id":true}}},` +
	`{"address":"terraform_data.db","mode":"managed","type":"terraform_data","name":"db","provider_name":"terraform.io/builtin/terraform","change":{"actions":["update"],"before":{"id":"x","input":"a"},"after":{"id":"x","input":"b"},"after_unknown":{}}}]}`

// FakeNoChangesPlanJSON is what `terraform show -json` prints for a plan that changes
// nothing: web and db are as configured.
const FakeNoChangesPlanJSON = `{"format_version":"1.2","terraform_version":"1.5.7","resource_changes":[` +
	`{"address":"terraform_data.web","mode":"managed","type":"terraform_data","name":"web","provider_name":"terraform.io/builtin/terraform","change":{"actions":["no-op"],"before":{"id":"w"},"after":{"id":"w"},"after_unknown":{}}}]}`

// FakeExecutor stands in for Docker: a plan prints numbered lines (one with the secret
// value terraform would see) and the plan JSON and saves a plan file; an apply prints its
// lines. With a gate, a plan stops halfway until the gate is closed or the run canceled.
// PlanJSON, when set, is printed instead of FakePlanJSON.
type FakeExecutor struct {
	Gate     chan struct{}
	PlanJSON string
	mu       sync.Mutex
	jobs     []runner.Job
}

// Run records the job and answers it as the type comment says.
func (f *FakeExecutor) Run(ctx context.Context, job runner.Job, out io.Writer) (runner.Result, error) {
	f.mu.Lock()
	f.jobs = append(f.jobs, job)
	f.mu.Unlock()
	if !slices.Contains(job.Collect, "tfplan") {
		for i := 1; i <= 3; i++ {
			fmt.Fprintf(out, "apply line %d\n", i)
		}
		return runner.Result{}, nil
	}
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(out, "plan line %d <b>&\n", i)
	}
	fmt.Fprintf(out, "the secret is %s\n", job.Env["ARM_ACCESS_KEY"])
	if f.Gate != nil {
		select {
		case <-f.Gate:
		case <-ctx.Done():
			return runner.Result{}, ctx.Err()
		}
	}
	for i := 5; i <= 8; i++ {
		fmt.Fprintf(out, "plan line %d\n", i)
	}
	fmt.Fprintln(out, cmp.Or(f.PlanJSON, FakePlanJSON))
	return runner.Result{Files: map[string][]byte{"tfplan": []byte("fake plan")}}, nil
}

// PlanJob is the plan job the executor received for the run.
func (f *FakeExecutor) PlanJob(t testing.TB, runID string) runner.Job {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, j := range f.jobs {
		if j.RunID == runID && slices.Contains(j.Collect, "tfplan") {
			return j
		}
	}
	t.Fatalf("the executor received no plan job for run %s", runID)
	return runner.Job{}
}

// Jobs are the jobs the executor received, in order.
func (f *FakeExecutor) Jobs() []runner.Job {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.jobs)
}
