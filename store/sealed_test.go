package store

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSealedCounts(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	if c, err := s.SealedCounts(ctx); err != nil || c.Any() {
		t.Fatalf("SealedCounts of a new database = %+v, %v", c, err)
	}
	for _, name := range []string{"A", "B"} {
		if err := s.SetEnvironmentSecret(ctx, "payments", "dev", name, []byte("sealed")); err != nil {
			t.Fatal(err)
		}
	}
	plannedRun(t, s, dep, "run-1", true)
	plannedRun(t, s, dep, "run-2", false) // in the clear: not sealed, so not counted
	c, err := s.SealedCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c != (SealedCounts{Secrets: 2, Plans: 1}) || !c.Any() {
		t.Errorf("SealedCounts = %+v, want 2 secrets and 1 plan", c)
	}
}

func TestSecretKeyID(t *testing.T) {
	t.Parallel()
	s := newSecretStore(t)
	ctx := t.Context()
	if id, err := s.SecretKeyID(ctx); err != nil || id != "" {
		t.Fatalf("SecretKeyID of a new database = %q, %v", id, err)
	}
	if got, err := s.RecordSecretKeyID(ctx, "key-a"); err != nil || got != "key-a" {
		t.Fatalf("RecordSecretKeyID(key-a) = %q, %v", got, err)
	}
	// The first recorded wins: a second key does not replace it.
	if got, err := s.RecordSecretKeyID(ctx, "key-b"); err != nil || got != "key-a" {
		t.Errorf("RecordSecretKeyID(key-b) after key-a = %q, %v; want key-a", got, err)
	}
	// Nothing sealed: another key may take its place.
	if err := s.ReplaceSecretKeyID(ctx, "key-b"); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.SecretKeyID(ctx); id != "key-b" {
		t.Errorf("SecretKeyID after ReplaceSecretKeyID = %q", id)
	}
	if err := s.SetEnvironmentSecret(ctx, "payments", "dev", "A", []byte("sealed")); err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceSecretKeyID(ctx, "key-c"); !errors.Is(err, ErrConflict) {
		t.Errorf("ReplaceSecretKeyID with a secret sealed: %v, want ErrConflict", err)
	}
	if id, _ := s.SecretKeyID(ctx); id != "key-b" {
		t.Errorf("a refused ReplaceSecretKeyID left %q", id)
	}
	for _, bad := range []string{"", string(make([]byte, maxKeyIDBytes+1))} {
		if _, err := s.RecordSecretKeyID(ctx, bad); err == nil {
			t.Errorf("RecordSecretKeyID(%d bytes): no error", len(bad))
		}
	}
}

func TestForgetSealed(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	if _, err := s.RecordSecretKeyID(ctx, "lost-key"); err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"dev", "prod"} {
		if err := s.SetEnvironmentSecret(ctx, "payments", env, "ARM_CLIENT_SECRET", []byte("sealed")); err != nil {
			t.Fatal(err)
		}
	}
	plannedRun(t, s, dep, "run-planned", true)
	plannedRun(t, s, dep, "run-applied", true)
	for _, tr := range []RunTransition{{To: RunApproved, By: "bob"}, {To: RunApplying}, {To: RunApplied}} {
		if _, err := s.TransitionRun(ctx, "run-applied", tr); err != nil {
			t.Fatal(err)
		}
	}
	plannedRun(t, s, dep, "run-clear", false)

	got, err := s.ForgetSealed(ctx, "new-key", "ops")
	if err != nil {
		t.Fatal(err)
	}
	if want := (ForgotSealed{SealedCounts: SealedCounts{Secrets: 2, Plans: 2}, Discarded: 1}); got != want {
		t.Errorf("ForgetSealed = %+v, want %+v", got, want)
	}
	if c, _ := s.SealedCounts(ctx); c.Any() {
		t.Errorf("sealed after ForgetSealed: %+v", c)
	}
	if id, _ := s.SecretKeyID(ctx); id != "new-key" {
		t.Errorf("key id after ForgetSealed = %q", id)
	}
	r, err := s.Run(ctx, "run-planned")
	if err != nil {
		t.Fatal(err)
	}
	if r.State != RunDiscarded || r.CanceledBy != "ops" || r.Error == "" || r.FinishedAt.IsZero() || r.PlanSealed {
		t.Errorf("the planned run after ForgetSealed: %+v, want discarded by ops with a reason", r)
	}
	for _, id := range []string{"run-planned", "run-applied"} {
		if plan, planJSON, _ := s.RunPlan(ctx, id); plan != nil || planJSON != nil {
			t.Errorf("run %s keeps its plan: %q, %q", id, plan, planJSON)
		}
	}
	if r, _ := s.Run(ctx, "run-applied"); r.State != RunApplied {
		t.Errorf("the applied run is %s after ForgetSealed", r.State)
	}
	// A plan in the clear opens with no key: it stays, to be sealed with the new one.
	if r, _ := s.Run(ctx, "run-clear"); r.State != RunPlanned {
		t.Errorf("the run with a plan in the clear is %s", r.State)
	}
	if plan, _, _ := s.RunPlan(ctx, "run-clear"); string(plan) != "PK clear run-clear" {
		t.Errorf("the plan in the clear is now %q", plan)
	}
}

func TestEachEnvironmentSecret(t *testing.T) {
	t.Parallel()
	s := newSecretStore(t)
	ctx := t.Context()
	for _, pe := range [][2]string{{"prod", "B"}, {"dev", "B"}, {"dev", "A"}} {
		if err := s.SetEnvironmentSecret(ctx, "payments", pe[0], pe[1], []byte(pe[0]+"/"+pe[1])); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := s.EachEnvironmentSecret(ctx, func(project, environment string, sec StoredSecret) error {
		got = append(got, project+"/"+environment+"/"+sec.Name+"="+string(sec.Ciphertext))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"payments/dev/A=dev/A", "payments/dev/B=dev/B", "payments/prod/B=prod/B"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EachEnvironmentSecret (-want +got):\n%s", diff)
	}
	stop := errors.New("stop")
	n := 0
	err = s.EachEnvironmentSecret(ctx, func(string, string, StoredSecret) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("an error from fn: %v after %d calls, want it back after 1", err, n)
	}
}
