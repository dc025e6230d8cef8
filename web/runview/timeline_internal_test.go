package runview

import (
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
)

// TestBuildTimeline: a run's timeline from its recorded steps and, for a run from before
// steps were recorded, from the times the run itself has.
func TestBuildTimeline(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	now := at(60_000)
	done := func(step string, from, to int) store.RunStep {
		return store.RunStep{Step: step, State: store.StepDone, StartedAt: at(from), FinishedAt: at(to)}
	}
	tests := []struct {
		name  string
		run   store.Run
		steps []store.RunStep
		want  string
	}{
		{"queued", store.Run{State: store.RunQueued, Operation: store.RunOpPlan, CreatedAt: at(0)}, nil,
			"queued Queued running 1m0s; plan.init Init pending; plan.check Check pending; plan.plan Plan pending; approval Approval pending; apply.init Init pending; apply.apply Apply pending"},
		{"a destroy planning", store.Run{State: store.RunRunning, Operation: store.RunOpDestroy, CreatedAt: at(0), StartedAt: at(1500)},
			[]store.RunStep{done(runs.StepPlanInit, 1600, 4000), {Step: runs.StepPlanCheck, State: store.StepRunning, StartedAt: at(4000)}, {Step: runs.StepPlanPlan, State: store.StepPending}},
			"queued Queued done 1.5s; plan.init Init done 2.4s; plan.check Check running 56s; plan.plan Destroy plan pending; approval Approval pending; apply.init Init pending; apply.apply Destroy pending"},
		{"failed at the check", store.Run{State: store.RunErrored, Operation: store.RunOpPlan, CreatedAt: at(0), StartedAt: at(100), FinishedAt: at(3000)},
			[]store.RunStep{done(runs.StepPlanInit, 100, 1000), {Step: runs.StepPlanCheck, State: store.StepFailed, StartedAt: at(1000), FinishedAt: at(2900)}, {Step: runs.StepPlanPlan, State: store.StepSkipped}},
			"queued Queued done 100ms; plan.init Init done 900ms; plan.check Check failed 1.9s; plan.plan Plan skipped; approval Approval skipped; apply.init Init skipped; apply.apply Apply skipped"},
		{"interrupted with a step in flight", store.Run{State: store.RunInterrupted, Operation: store.RunOpPlan, CreatedAt: at(0), StartedAt: at(100), FinishedAt: at(3000)},
			[]store.RunStep{done(runs.StepPlanInit, 100, 1000), {Step: runs.StepPlanCheck, State: store.StepRunning, StartedAt: at(1000)}, {Step: runs.StepPlanPlan, State: store.StepPending}},
			"queued Queued done 100ms; plan.init Init done 900ms; plan.check Check canceled; plan.plan Plan canceled; approval Approval skipped; apply.init Init skipped; apply.apply Apply skipped"},
		{"applied before steps were recorded", store.Run{State: store.RunApplied, Operation: store.RunOpPlan, ApprovedBy: "ada", CreatedAt: at(0), StartedAt: at(200), FinishedAt: at(30_000)}, nil,
			"queued Queued done 200ms; plan Plan done; approval Approved by ada done; apply Apply done"},
		{"errored at plan before steps were recorded", store.Run{State: store.RunErrored, Operation: store.RunOpPlan, CreatedAt: at(0), StartedAt: at(200), FinishedAt: at(12_200)}, nil,
			"queued Queued done 200ms; plan Plan failed 12s; approval Approval skipped; apply.init Init skipped; apply.apply Apply skipped"},
		{"canceled while queued", store.Run{State: store.RunCanceled, Operation: store.RunOpPlan, CreatedAt: at(0), FinishedAt: at(5000)}, nil,
			"queued Queued canceled; plan.init Init skipped; plan.check Check skipped; plan.plan Plan skipped; approval Approval skipped; apply.init Init skipped; apply.apply Apply skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range buildTimeline(tt.run, tt.steps, now).Steps {
				got = append(got, strings.TrimSpace(strings.Join([]string{s.ID, s.Label, s.State, s.Duration}, " ")))
			}
			if g := strings.Join(got, "; "); g != tt.want {
				t.Errorf("timeline\n%s\nwant\n%s", g, tt.want)
			}
		})
	}
}

func TestEditorItem(t *testing.T) {
	for path, want := range map[string]string{
		"resources[azurerm_kubernetes_cluster.aks].default_node_pool[0].vm_size": "azurerm_kubernetes_cluster.aks",
		"data[azurerm_client_config.current].x":                                  "data.azurerm_client_config.current",
		"variables[location].default":                                            "variables",
		"outputs[said]":                                                          "outputs",
		"module_files[0]":                                                        "",
		"":                                                                       "",
		"resources[":                                                             "",
	} {
		if got := editorItem(path); got != want {
			t.Errorf("editorItem(%q) = %q, want %q", path, got, want)
		}
	}
}
