package store

import (
	"errors"
	"strings"
	"testing"
)

func TestRunProgress(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	if p, err := s.RunProgress(ctx, "run-1"); err != nil || p != nil {
		t.Errorf("a new run's progress = %q, %v; want none", p, err)
	}
	for _, want := range []string{`{"operation":"plan","done":0,"total":3}`, `{"operation":"apply","done":2,"total":3}`} {
		if err := s.SetRunProgress(ctx, "run-1", []byte(want)); err != nil {
			t.Fatal(err)
		}
		if p, err := s.RunProgress(ctx, "run-1"); err != nil || string(p) != want {
			t.Errorf("RunProgress = %q, %v; want %s", p, err, want)
		}
	}
	if err := s.SetRunProgress(ctx, "run-1", []byte(strings.Repeat("x", 2000))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a 2000-byte progress: %v, want ErrTooLarge", err)
	}
	if err := s.SetRunProgress(ctx, "nope", []byte("{}")); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing run: %v, want ErrNotFound", err)
	}
	if _, err := s.RunProgress(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing run: %v, want ErrNotFound", err)
	}
}
