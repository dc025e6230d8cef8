package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestRunSteps(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	createRun(t, s, dep, "r1")
	ctx := context.Background()
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 123456789, time.UTC)

	steps := []RunStep{
		{Step: "plan.init", Position: 0, State: StepRunning, StartedAt: t0},
		{Step: "plan.check", Position: 1, State: StepPending},
	}
	for _, st := range steps {
		if err := s.SetRunStep(ctx, "r1", st); err != nil {
			t.Fatal(err)
		}
	}
	// A step recorded again replaces what was recorded for it.
	done := RunStep{Step: "plan.init", Position: 0, State: StepDone, StartedAt: t0, FinishedAt: t0.Add(1500 * time.Millisecond)}
	if err := s.SetRunStep(ctx, "r1", done); err != nil {
		t.Fatal(err)
	}
	got, err := s.RunSteps(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := []RunStep{done, steps[1]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if got, err := s.RunSteps(ctx, "no-such-run"); err != nil || len(got) != 0 {
		t.Errorf("steps of a missing run: %v, %v", got, err)
	}
}

func TestSetRunStepRefuses(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	createRun(t, s, dep, "r1")
	tests := []struct {
		name  string
		run   string
		step  RunStep
		want  error
		words string
	}{
		{"missing run", "nope", RunStep{Step: "plan.init", State: StepDone}, ErrNotFound, "no such run"},
		{"empty name", "r1", RunStep{State: StepDone}, ErrInvalidName, "1 to 32 bytes"},
		{"long name", "r1", RunStep{Step: strings.Repeat("x", 33), State: StepDone}, ErrInvalidName, "1 to 32 bytes"},
		{"unknown state", "r1", RunStep{Step: "plan.init", State: "sleeping"}, nil, "is not one of"},
		{"negative position", "r1", RunStep{Step: "plan.init", State: StepDone, Position: -1}, nil, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SetRunStep(context.Background(), tt.run, tt.step)
			if err == nil || !strings.Contains(err.Error(), tt.words) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("got %v, want %v saying %q", err, tt.want, tt.words)
			}
		})
	}
}

func TestRunDiagnosticsAreBounded(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	createRun(t, s, dep, "r1")
	ctx := context.Background()

	first := RunDiagnostic{Step: "plan.check", Severity: "error", Summary: "Invalid value", Detail: "Pick one of A, B.",
		File: "main.tf", Line: 12, Address: "terraform_data.a", Path: "resources[terraform_data.a].input"}
	long := RunDiagnostic{Step: "plan.plan", Severity: "warning", Summary: strings.Repeat("é", 600), Detail: strings.Repeat("d", 10000)}
	n, err := s.AddRunDiagnostics(ctx, "r1", []RunDiagnostic{first, long})
	if err != nil || n != 2 {
		t.Fatalf("kept %d, %v", n, err)
	}
	var more []RunDiagnostic
	for i := range MaxRunDiagnostics {
		more = append(more, RunDiagnostic{Step: "apply.apply", Severity: "error", Summary: fmt.Sprintf("error %d", i)})
	}
	if n, err := s.AddRunDiagnostics(ctx, "r1", more); err != nil || n != MaxRunDiagnostics-2 {
		t.Fatalf("kept %d of %d more, %v; want %d", n, len(more), err, MaxRunDiagnostics-2)
	}
	if n, err := s.AddRunDiagnostics(ctx, "r1", more[:1]); err != nil || n != 0 {
		t.Errorf("a run with %d diagnostics kept %d more, %v", MaxRunDiagnostics, n, err)
	}
	got, err := s.RunDiagnostics(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != MaxRunDiagnostics {
		t.Fatalf("%d diagnostics stored, want %d", len(got), MaxRunDiagnostics)
	}
	if diff := cmp.Diff(first, got[0]); diff != "" {
		t.Errorf("first diagnostic (-want +got):\n%s", diff)
	}
	cutShort := got[1]
	if len(cutShort.Summary) > maxDiagnosticSummary || !utf8.ValidString(cutShort.Summary) || !strings.HasSuffix(cutShort.Summary, "é…") {
		t.Errorf("long summary stored as %d bytes ending %q", len(cutShort.Summary), cutShort.Summary[len(cutShort.Summary)-8:])
	}
	if len(cutShort.Detail) > maxDiagnosticDetail || !strings.HasSuffix(cutShort.Detail, "d…") {
		t.Errorf("long detail stored as %d bytes", len(cutShort.Detail))
	}
	if got[MaxRunDiagnostics-1].Summary != fmt.Sprintf("error %d", MaxRunDiagnostics-3) {
		t.Errorf("last kept is %q", got[MaxRunDiagnostics-1].Summary)
	}

	if _, err := s.AddRunDiagnostics(ctx, "nope", more[:1]); !errors.Is(err, ErrNotFound) {
		t.Errorf("diagnostics of a missing run: %v", err)
	}
	if _, err := s.AddRunDiagnostics(ctx, "r1", []RunDiagnostic{{Severity: "fatal"}}); err == nil {
		t.Error("a diagnostic of severity fatal was stored")
	}
}
