package runs

import (
	"errors"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/store"
)

// noChangesShow is what `terraform show -json` prints for a plan that changes nothing.
const noChangesShow = `{"format_version":"1.2","terraform_version":"1.5.7","planned_values":{"root_module":{}},` +
	`"resource_changes":[{"address":"terraform_data.a","mode":"managed","type":"terraform_data","name":"a","provider_name":"terraform.io/builtin/terraform",` +
	`"change":{"actions":["no-op"],"before":{"id":"x"},"after":{"id":"x"},"after_unknown":{}}}],` +
	`"output_changes":{"id":{"actions":["no-op"],"before":"x","after":"x","after_unknown":false}},"configuration":{"root_module":{}}}` + "\n"

// outputsOnlyShow changes no resource, only an output, which terraform applies.
const outputsOnlyShow = `{"format_version":"1.2","terraform_version":"1.5.7","planned_values":{"root_module":{}},` +
	`"output_changes":{"greeting":{"actions":["create"],"before":null,"after":"hello","after_unknown":false}},"configuration":{"root_module":{}}}` + "\n"

func TestParsePlanCountsOutputChanges(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		show    string
		outputs int
		changes bool
	}{
		{"no-op resources and outputs are no changes", noChangesShow, 0, false},
		{"an output that changes is a change", outputsOnlyShow, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParsePlan([]byte(tc.show))
			if err != nil {
				t.Fatal(err)
			}
			if s.Outputs != tc.outputs || s.HasChanges() != tc.changes {
				t.Errorf("summary %+v: outputs %d, has changes %v; want %d, %v", s, s.Outputs, s.HasChanges(), tc.outputs, tc.changes)
			}
		})
	}
}

func TestServiceNoChangesPlanEndsByItself(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	f.exec.show = []byte(noChangesShow)
	ctx := t.Context()
	first, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	ended := f.waitState(t, first.ID, store.RunDiscarded)
	if !NoChanges(ended) || ended.CanceledBy != "" || ended.Error != "" || ended.FinishedAt.IsZero() || len(ended.Summary) == 0 {
		t.Errorf("run %+v: want discarded by nobody with its summary, no error, finished", ended)
	}
	if plan, planJSON, err := f.store.RunPlan(ctx, first.ID); err != nil || plan != nil || planJSON != nil {
		t.Errorf("stored plan %d bytes, JSON %d bytes, err %v: a plan with nothing to apply keeps no plan file", len(plan), len(planJSON), err)
	}
	if log := f.log(t, first.ID); !strings.Contains(log, "CloudOven: "+NoChangesMessage) {
		t.Errorf("log lacks the no-changes line:\n%s", log)
	}
	if _, err := f.svc.Approve(ctx, first.ID, "bob"); err == nil {
		t.Error("a plan with no changes was approved")
	}
	if n := len(f.exec.jobsOf(first.ID)); n != 1 {
		t.Errorf("%d jobs, want the plan's only", n)
	}
	// The deployment is free at once: the next plan runs without anyone discarding the first.
	f.exec.mu.Lock()
	f.exec.show = []byte(outputsOnlyShow)
	f.exec.mu.Unlock()
	next, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	planned := f.waitState(t, next.ID, store.RunPlanned)
	if NoChanges(planned) {
		t.Errorf("a plan that changes an output counts as no changes: %s", planned.Summary)
	}
}

func TestServiceApplyLogSeparator(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunPlanned)
	if log := f.log(t, r.ID); strings.Contains(log, ApplySeparator) {
		t.Errorf("a plan's log has the apply separator:\n%s", log)
	}
	if _, err := f.svc.Approve(ctx, r.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	f.waitState(t, r.ID, store.RunApplied)
	log := f.log(t, r.ID)
	plan, sep, apply := strings.Index(log, "Plan: 2 to add"), strings.Index(log, "\n"+ApplySeparator+"\n"), strings.Index(log, "Apply complete!")
	if plan < 0 || sep < plan || apply < sep {
		t.Errorf("want the plan's lines, the separator, then the apply's (at %d, %d, %d):\n%s", plan, sep, apply, log)
	}
}

func TestServiceDiscardRefusesARunningPlan(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 1)
	ctx := t.Context()
	r, err := f.svc.Plan(ctx, "payments", f.deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, r.ID)
	// The store lets a running plan end discarded (no changes); a user still may not.
	if _, err := f.svc.Discard(ctx, r.ID, "bob"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("discarding a running plan: %v, want ErrConflict", err)
	}
	f.exec.gate(r.ID) <- struct{}{}
	if got := f.waitState(t, r.ID, store.RunPlanned); got.CanceledBy != "" {
		t.Errorf("planned run %+v", got)
	}
}
