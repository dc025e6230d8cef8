package runs

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/store"
)

// replica is one of several Services on one database, each with its own store handle
// (connection pool) and executor, as separate server processes have.
type replica struct {
	store  *store.Store
	exec   *fakeExecutor
	svc    *Service
	cancel context.CancelFunc
}

func startReplica(t *testing.T, path, name string, sealer Sealer, lease time.Duration) *replica {
	t.Helper()
	return startReplicaPolling(t, path, name, sealer, lease, 20*time.Millisecond)
}

// startReplicaPolling is startReplica looking for runs to claim every poll.
func startReplicaPolling(t *testing.T, path, name string, sealer Sealer, lease, poll time.Duration) *replica {
	t.Helper()
	s, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	r := &replica{store: s, exec: newFakeExecutor(true)}
	r.svc = New(Options{Store: s, Executor: r.exec, Hub: NewHub(s, nil), GlobalConcurrency: 1, Sealer: sealer,
		Replica: name, Lease: lease, PollInterval: poll,
		Prepare: func(ctx context.Context, project string, deploymentID int64) (Prepared, error) {
			return Prepared{Files: map[string][]byte{"main.tf": []byte(`resource "terraform_data" "a" {}`)}}, nil
		}})
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	t.Cleanup(func() {
		cancel()
		r.svc.Wait()
	})
	if err := r.svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

// Two servers take runs from one queue: each run executes once, on one of them, and each
// server keeps to its own concurrency.
func TestReplicasShareTheQueue(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	s, deps := newStoreAt(t, path)
	sealer := newSealer(t)
	a := startReplica(t, path, "a", sealer, time.Minute)
	b := startReplica(t, path, "b", sealer, time.Minute)
	f := &fixture{store: s}
	var ids []string
	for _, d := range deps {
		r, err := a.svc.Plan(t.Context(), "payments", d, "ada", false)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	// One stage each at a time: two of the three start, one on each server.
	first := []string{<-a.exec.started, <-b.exec.started}
	select {
	case id := <-a.exec.started:
		t.Fatalf("a started %s while its one slot was taken", id)
	case id := <-b.exec.started:
		t.Fatalf("b started %s while its one slot was taken", id)
	case <-time.After(200 * time.Millisecond):
	}
	for _, id := range first {
		a.exec.gate(id) <- struct{}{}
		b.exec.gate(id) <- struct{}{}
	}
	var third string
	select {
	case third = <-a.exec.started:
	case third = <-b.exec.started:
	case <-time.After(20 * time.Second):
		t.Fatal("the third run did not start")
	}
	a.exec.gate(third) <- struct{}{}
	b.exec.gate(third) <- struct{}{}
	for _, id := range ids {
		f.waitState(t, id, store.RunPlanned)
	}
	got := slices.Sorted(slices.Values(append(first, third)))
	if !slices.Equal(got, slices.Sorted(slices.Values(ids))) {
		t.Errorf("started %q, want each of %q once", got, ids)
	}
	for _, id := range ids {
		if n := len(a.exec.jobsOf(id)) + len(b.exec.jobsOf(id)); n != 1 {
			t.Errorf("run %s executed %d times, want once", id, n)
		}
	}
	// Approved on b, applied by whichever server has a slot.
	if _, err := b.svc.Approve(t.Context(), ids[0], "bob"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.exec.started:
	case <-b.exec.started:
	case <-time.After(20 * time.Second):
		t.Fatal("the apply did not start")
	}
	a.exec.gate(ids[0]) <- struct{}{}
	b.exec.gate(ids[0]) <- struct{}{}
	f.waitState(t, ids[0], store.RunApplied)
}

// A user on one server cancels a stage another server executes.
func TestReplicaCancelAcrossServers(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	s, deps := newStoreAt(t, path)
	sealer := newSealer(t)
	a := startReplica(t, path, "a", sealer, time.Minute)
	r, err := a.svc.Plan(t.Context(), "payments", deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	<-a.exec.started
	b := startReplica(t, path, "b", sealer, time.Minute)
	got, err := b.svc.Cancel(t.Context(), r.ID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.RunCanceled || got.CanceledBy != "carol" {
		t.Errorf("canceled from another server: %+v, want canceled by carol", got)
	}
	if log := (&fixture{store: s}).log(t, r.ID); !strings.Contains(log, "run canceled by carol") {
		t.Errorf("log does not say who canceled:\n%s", log)
	}
}

// A server that stops renewing its claims (it died, or lost the database) has its runs
// marked interrupted by another, their state locks released, and the deployment's next run
// goes on.
func TestReplicaDiesItsRunsInterrupted(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	s, deps := newStoreAt(t, path)
	sealer := newSealer(t)
	const lease = 400 * time.Millisecond
	a := startReplica(t, path, "a", sealer, lease)
	dead, err := a.svc.Plan(t.Context(), "payments", deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	<-a.exec.started
	if _, err := s.LockState(t.Context(), deps[0], store.StateLock{ID: "lock-of-a", Info: []byte(`{"ID":"lock-of-a"}`)}); err != nil {
		t.Fatal(err)
	}
	// a loses its database: it can neither renew nor record anything from now on.
	a.store.Close()
	b := startReplica(t, path, "b", sealer, lease)
	next, err := b.svc.Plan(t.Context(), "payments", deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: s}
	r := f.waitState(t, dead.ID, store.RunInterrupted)
	if !strings.Contains(r.Error, "stopped answering") {
		t.Errorf("interrupted run's error %q does not say its server stopped", r.Error)
	}
	// The server that marked it interrupted writes the rest of its log right after.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		log := f.log(t, dead.ID)
		if strings.Contains(log, "stopped answering") && strings.Contains(log, "released the state lock lock-of-a") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log of the interrupted run:\n%s", log)
		}
	}
	if _, err := s.StateLock(t.Context(), deps[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the dead server's state lock is still held: %v", err)
	}
	if id := <-b.exec.started; id != next.ID {
		t.Fatalf("b started %s, want the deployment's next run %s", id, next.ID)
	}
	b.exec.gate(next.ID) <- struct{}{}
	f.waitState(t, next.ID, store.RunPlanned)
	a.exec.gate(dead.ID) <- struct{}{}
}

// A server claims a run as soon as another server on the same PostgreSQL database queues
// it or frees its deployment, through the store's notification, not at its next poll
// (an hour here).
func TestReplicaClaimsOnNotification(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	url := testenv.Postgres(t)
	web, deps := newStoreAt(t, url) // a server that only takes requests
	b := startReplicaPolling(t, url, "b", newSealer(t), time.Minute, time.Hour)
	ctx := t.Context()
	queue := func(id string, dep int64) {
		t.Helper()
		if _, err := web.CreateRun(ctx, store.Run{ID: id, DeploymentID: dep, Operation: store.RunOpPlan, BlueprintVersion: 1, CreatedBy: "ada"}); err != nil {
			t.Fatal(err)
		}
	}
	started := func(want string) {
		t.Helper()
		select {
		case id := <-b.exec.started:
			if id != want {
				t.Fatalf("started %s, want %s", id, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s queued on another server did not start (the poll is an hour)", want)
		}
	}
	f := &fixture{store: web}
	queue("run-1", deps[0])
	started("run-1") // by its first claim, or by the notification
	queue("run-2", deps[0])
	b.exec.gate("run-1") <- struct{}{}
	f.waitState(t, "run-1", store.RunPlanned)
	// run-2 waits for run-1's deployment: discarding run-1 on the other server frees it.
	if _, err := web.TransitionRun(ctx, "run-1", store.RunTransition{To: store.RunDiscarded, By: "ada"}); err != nil {
		t.Fatal(err)
	}
	started("run-2")
	b.exec.gate("run-2") <- struct{}{}
	f.waitState(t, "run-2", store.RunPlanned)
	// Spacing, not a wait for a condition: run-3 should be queued after the claim that
	// run-2's own end asks for, so that only the notification can start it. Should that
	// claim still be under way, it starts run-3 and the case proves less; it cannot fail.
	time.Sleep(200 * time.Millisecond)
	queue("run-3", deps[1])
	started("run-3")
	b.exec.gate("run-3") <- struct{}{}
	f.waitState(t, "run-3", store.RunPlanned)
}

// The run page on any server shows the progress bar of a stage another server executes:
// the executing server saves the progress about once a second, and its last one as the
// stage ends.
func TestReplicaShowsAnothersProgress(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	_, deps := newStoreAt(t, path)
	sealer := newSealer(t)
	servers := []*replica{startReplica(t, path, "a", sealer, time.Minute), startReplica(t, path, "b", sealer, time.Minute)}
	planned := []byte(`{"@level":"info","@message":"terraform_data.a: Plan to create","type":"planned_change","change":{"action":"create"}}` + "\n" +
		`{"@level":"info","@message":"terraform_data.b: Plan to replace","type":"planned_change","change":{"action":"replace"}}` + "\n")
	for _, r := range servers {
		r.exec.mu.Lock()
		r.exec.early = planned
		r.exec.mu.Unlock()
	}
	r, err := servers[0].svc.Plan(t.Context(), "payments", deps[0], "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	var executing, other *replica
	select {
	case <-servers[0].exec.started:
		executing, other = servers[0], servers[1]
	case <-servers[1].exec.started:
		executing, other = servers[1], servers[0]
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not start")
	}
	waitProgress := func(what string, ok func(Progress) bool) Progress {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			p, known := other.svc.Progress(r.ID)
			if known && ok(p) {
				return p
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the other server shows %+v (known %v)", what, p, known)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// While the stage waits at its gate: 1 create and 1 replacement (2 operations).
	p := waitProgress("mid-plan", func(p Progress) bool { return p.Total == 3 })
	if p.Operation != "plan" || p.Complete {
		t.Errorf("mid-plan progress on the other server: %+v", p)
	}
	executing.exec.gate(r.ID) <- struct{}{}
	(&fixture{store: executing.store}).waitState(t, r.ID, store.RunPlanned)
	final := waitProgress("planned", func(p Progress) bool { return p.Complete })
	if mine, ok := executing.svc.Progress(r.ID); !ok || mine != final {
		t.Errorf("the executing server shows %+v (%v) after the stage, the other %+v", mine, ok, final)
	}
}

// A server's start-up sweep keeps what a run claimed after it listed the executing runs
// holds: the store is asked again about a run the list lacks.
func TestReplicaSweepKeepsARunClaimedMeanwhile(t *testing.T) {
	t.Parallel()
	loadFixtures(t)
	path := filepath.Join(t.TempDir(), "cloudoven.db")
	s, deps := newStoreAt(t, path)
	b := startReplica(t, path, "b", newSealer(t), time.Minute)
	b.exec.mu.Lock()
	keep := b.exec.orphansKept
	b.exec.mu.Unlock()
	if keep == nil {
		t.Fatal("the start-up sweep did not run")
	}
	// Claimed after b's sweep listed the executing runs (none then).
	newRun(t, s, deps[0], "run-late")
	if _, _, err := s.ClaimRun(t.Context(), "a", time.Minute); err != nil {
		t.Fatal(err)
	}
	// Claimed here, or by b's own claimer first: executing either way.
	if r, err := s.Run(t.Context(), "run-late"); err != nil || r.State != store.RunRunning {
		t.Fatalf("run-late is %s (%v), want running", r.State, err)
	}
	if !keep("run-late") {
		t.Error("the sweep's keep drops a run another server claimed after it listed the executing runs")
	}
	if _, err := s.TransitionRun(t.Context(), "run-late", store.RunTransition{To: store.RunErrored, Error: "x"}); err != nil {
		t.Fatal(err)
	}
	if keep("run-late") {
		t.Error("the sweep's keep keeps a finished run's leftovers")
	}
}
