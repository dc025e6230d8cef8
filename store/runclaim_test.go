package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func claim(t *testing.T, s *Store, runner string) (Run, bool) {
	t.Helper()
	r, ok, err := s.ClaimRun(t.Context(), runner, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return r, ok
}

func TestClaimRunOrder(t *testing.T) {
	t.Parallel()
	s, depA := newRunnable(t)
	ctx := t.Context()
	dB, err := s.CreateDeployment(ctx, "payments", "aks", 2, "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	createRun(t, s, depA, "run-a1")
	createRun(t, s, depA, "run-a2")
	createRun(t, s, dB.ID, "run-b1")

	r, ok := claim(t, s, "one")
	if !ok || r.ID != "run-a1" || r.State != RunRunning || r.StartedAt.IsZero() {
		t.Fatalf("first claim %+v %v, want run-a1 running", r, ok)
	}
	if runner, until, err := s.RunRunner(ctx, "run-a1"); err != nil || runner != "one" || until.IsZero() {
		t.Errorf("RunRunner = %q %v %v, want one with a lease", runner, until, err)
	}
	// run-a2 waits for run-a1: the next claim skips to the other deployment.
	if r, ok := claim(t, s, "two"); !ok || r.ID != "run-b1" {
		t.Fatalf("second claim %+v %v, want run-b1", r, ok)
	}
	if r, ok := claim(t, s, "two"); ok {
		t.Fatalf("third claim took %s; run-a2 must wait for run-a1", r.ID)
	}
	// A planned run keeps its deployment until approved and applied.
	if _, err := s.TransitionRun(ctx, "run-a1", RunTransition{To: RunPlanned, Plan: []byte("p"), PlanJSON: []byte("{}"),
		Summary: []byte("{}"), PlanSealed: true}); err != nil {
		t.Fatal(err)
	}
	if r, ok := claim(t, s, "two"); ok {
		t.Fatalf("claim took %s while run-a1 waits for approval", r.ID)
	}
	if _, err := s.TransitionRun(ctx, "run-a1", RunTransition{To: RunApproved, By: "bob"}); err != nil {
		t.Fatal(err)
	}
	if r, ok := claim(t, s, "three"); !ok || r.ID != "run-a1" || r.State != RunApplying {
		t.Fatalf("claim after approval %+v %v, want run-a1 applying", r, ok)
	}
	if _, err := s.TransitionRun(ctx, "run-a1", RunTransition{To: RunApplied}); err != nil {
		t.Fatal(err)
	}
	if r, ok := claim(t, s, "three"); !ok || r.ID != "run-a2" {
		t.Fatalf("claim after apply %+v %v, want run-a2", r, ok)
	}
	if _, _, err := s.ClaimRun(ctx, "", time.Minute); err == nil {
		t.Error("a claim without a runner name was accepted")
	}
}

// Several servers claiming at once, each through its own connection pool: every run is
// claimed once, and a deployment never has two runs executing.
func TestClaimRunConcurrent(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	deps := []int64{dep}
	for i := range 3 {
		env := fmt.Sprintf("env%d", i)
		if _, err := s.CreateEnvironment(ctx, "payments", env, nil); err != nil {
			t.Fatal(err)
		}
		d, err := s.CreateDeployment(ctx, "payments", "aks", 2, env, "")
		if err != nil {
			t.Fatal(err)
		}
		deps = append(deps, d.ID)
	}
	const perDep = 5
	for i := range perDep {
		for j, d := range deps {
			createRun(t, s, d, fmt.Sprintf("run-%d-%d", j, i))
		}
	}
	servers := []*Store{s}
	path, _ := openedAt.Load(s)
	for range 2 {
		other, err := Open(ctx, path.(string))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		servers = append(servers, other)
	}
	var mu sync.Mutex
	claimedBy := map[string]string{}
	executing := map[int64]string{}
	var failures []string
	var wg sync.WaitGroup
	for i, srv := range servers {
		for w := range 2 {
			name := fmt.Sprintf("server-%d-%d", i, w)
			wg.Go(func() {
				idle := 0
				for idle < 20 {
					r, ok, err := srv.ClaimRun(ctx, name, time.Minute)
					if err != nil {
						mu.Lock()
						failures = append(failures, err.Error())
						mu.Unlock()
						return
					}
					if !ok {
						idle++
						time.Sleep(5 * time.Millisecond)
						continue
					}
					idle = 0
					mu.Lock()
					if prev, dup := claimedBy[r.ID]; dup {
						failures = append(failures, fmt.Sprintf("%s claimed by %s and %s", r.ID, prev, name))
					}
					claimedBy[r.ID] = name
					if other, busy := executing[r.DeploymentID]; busy {
						failures = append(failures, fmt.Sprintf("%s claimed while %s executes on its deployment", r.ID, other))
					}
					executing[r.DeploymentID] = r.ID
					mu.Unlock()
					mu.Lock()
					delete(executing, r.DeploymentID)
					mu.Unlock()
					if _, err := srv.TransitionRun(ctx, r.ID, RunTransition{To: RunErrored, Error: "done"}); err != nil {
						mu.Lock()
						failures = append(failures, err.Error())
						mu.Unlock()
						return
					}
				}
			})
		}
	}
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if len(claimedBy) != perDep*len(deps) {
		t.Errorf("%d runs claimed, want %d", len(claimedBy), perDep*len(deps))
	}
}

func TestRunLeases(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	createRun(t, s, dep, "run-1")
	createRun(t, s, dep, "run-2")
	if _, ok, err := s.ClaimRun(ctx, "alive", time.Hour); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	got, err := s.RenewRunLeases(ctx, "alive", []string{"run-1"}, time.Hour)
	if err != nil || !got["run-1"].Held || got["run-1"].CancelRequestedBy != "" {
		t.Fatalf("renew: %+v %v, want held", got, err)
	}
	// Another server cannot renew what it does not hold.
	if got, err := s.RenewRunLeases(ctx, "other", []string{"run-1"}, time.Hour); err != nil || got["run-1"].Held {
		t.Errorf("renew by another server: %+v %v, want not held", got, err)
	}
	if err := s.RequestRunCancel(ctx, "run-1", "carol"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RenewRunLeases(ctx, "alive", []string{"run-1"}, time.Hour); err != nil || got["run-1"].CancelRequestedBy != "carol" {
		t.Errorf("renew after a cancel request: %+v %v, want carol's request", got, err)
	}
	if err := s.RequestRunCancel(ctx, "run-2", "carol"); !errors.Is(err, ErrConflict) {
		t.Errorf("cancel request for a queued run: %v, want ErrConflict", err)
	}
	// A live lease is not reaped.
	if rs, err := s.ReapRuns(ctx, "gone", false); err != nil || len(rs) != 0 {
		t.Fatalf("reap with a live lease: %+v %v", rs, err)
	}
	// The server stops renewing: a lease renewed to the past has lapsed.
	if _, err := s.RenewRunLeases(ctx, "alive", []string{"run-1"}, -time.Hour); err != nil {
		t.Fatal(err)
	}
	rs, err := s.ReapRuns(ctx, "gone", false)
	if err != nil || len(rs) != 1 || rs[0].ID != "run-1" || rs[0].State != RunInterrupted || rs[0].Error != "gone" {
		t.Fatalf("reap with a lapsed lease: %+v %v, want run-1 interrupted", rs, err)
	}
	if got, err := s.RenewRunLeases(ctx, "alive", []string{"run-1"}, time.Hour); err != nil || got["run-1"].Held {
		t.Errorf("renew after the run was reaped: %+v %v, want not held", got, err)
	}
	// The deployment is free for the next run.
	if r, ok := claim(t, s, "other"); !ok || r.ID != "run-2" {
		t.Errorf("claim after the reap: %+v %v, want run-2", r, ok)
	}
}

// The queue's notifications: a run queued, approved, finished or marked interrupted may
// make a run claimable, and says so on RunQueueChannel with its id.
func TestRunQueueNotifies(t *testing.T) {
	t.Parallel()
	s, dep := newRunnable(t)
	ctx := t.Context()
	ch, err := s.Listen(ctx, RunQueueChannel)
	if err != nil {
		t.Fatal(err)
	}
	next := func(step string) string {
		t.Helper()
		select {
		case id := <-ch:
			return id
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: no notification on %s", step, RunQueueChannel)
			return ""
		}
	}
	createRun(t, s, dep, "run-1")
	if id := next("queued"); id != "run-1" {
		t.Errorf("queued: notified %q", id)
	}
	claim(t, s, "a")
	planRun := func() {
		t.Helper()
		if _, err := s.TransitionRun(ctx, "run-1", RunTransition{To: RunPlanned, Plan: []byte("p"), PlanJSON: []byte("j"), Summary: []byte("{}"), PlanSealed: true}); err != nil {
			t.Fatal(err)
		}
	}
	planRun()
	if _, err := s.TransitionRun(ctx, "run-1", RunTransition{To: RunApproved, By: "bob"}); err != nil {
		t.Fatal(err)
	}
	if id := next("approved"); id != "run-1" {
		t.Errorf("approved: notified %q", id)
	}
	claim(t, s, "a")
	if _, err := s.TransitionRun(ctx, "run-1", RunTransition{To: RunApplied}); err != nil {
		t.Fatal(err)
	}
	if id := next("applied"); id != "run-1" {
		t.Errorf("applied: notified %q", id)
	}
	createRun(t, s, dep, "run-2")
	next("queued")
	if _, ok := claim(t, s, "gone"); !ok {
		t.Fatal("run-2 not claimed")
	}
	if rs, err := s.ReapRuns(ctx, "gone", true); err != nil || len(rs) != 1 {
		t.Fatalf("ReapRuns = %v, %v", rs, err)
	}
	if id := next("interrupted"); id != "run-2" {
		t.Errorf("interrupted: notified %q", id)
	}
}
