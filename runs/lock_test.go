package runs

import (
	"slices"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

const (
	lockRandom = `provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.0"
  constraints = "~> 3.0"
  hashes = [
    "h1:aaaa",
  ]
}
`
	// lockRandomMore is lockRandom with another hash of the same version and a new provider.
	lockRandomMore = `provider "registry.terraform.io/hashicorp/null" {
  version = "3.2.1"
  hashes = [
    "h1:cccc",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.0"
  constraints = "~> 3.0"
  hashes = [
    "h1:aaaa",
    "zh:bbbb",
  ]
}
`
	// lockRandomNewer locks another version of random.
	lockRandomNewer = `provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.2"
  constraints = "~> 3.0"
  hashes = [
    "h1:dddd",
  ]
}
`
)

// planOnce plans deployment dep with the fixture's executor, waits for the plan and
// discards it, so the deployment's next run may start.
func (f *fixture) planOnce(t *testing.T, dep int64, destroy bool) Run {
	t.Helper()
	r, err := f.svc.Plan(t.Context(), "payments", dep, "ada", destroy)
	if err != nil {
		t.Fatal(err)
	}
	r = f.waitState(t, r.ID, store.RunPlanned)
	if _, err := f.svc.Discard(t.Context(), r.ID, "ada"); err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) storedLock(t *testing.T, dep int64) store.DeploymentLock {
	t.Helper()
	l, err := f.store.DeploymentLock(t.Context(), dep)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestPlanKeepsTheFirstLockFile: a deployment without a lock file keeps the one its first
// plan's init wrote, and every later plan or destroy gets it in its workspace, beside the
// generated files; the plan stage collects it.
func TestPlanKeepsTheFirstLockFile(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	f.exec.lockOut = func(runner.Job) []byte { return []byte(lockRandom) }
	dep := f.deps[0]
	first := f.planOnce(t, dep, false)
	job := f.exec.jobsOf(first.ID)[0]
	if _, ok := job.Files[lockFileName]; ok {
		t.Errorf("the first plan got a lock file: %q", job.Files[lockFileName])
	}
	if !strings.Contains(strings.Join(job.Collect, " "), lockFileName) {
		t.Errorf("the plan stage collects %q, not the lock file", job.Collect)
	}
	l := f.storedLock(t, dep)
	if string(l.Lock) != lockRandom || l.RunID != first.ID || l.Reason == "" {
		t.Fatalf("kept %+v, want the first plan's lock file", l)
	}
	for _, destroy := range []bool{false, true} {
		r := f.planOnce(t, dep, destroy)
		job := f.exec.jobsOf(r.ID)[0]
		if got := string(job.Files[lockFileName]); got != lockRandom {
			t.Errorf("destroy=%v: the workspace's lock file is %q, want the kept one", destroy, got)
		}
		if _, ok := job.Files["main.tf"]; !ok {
			t.Errorf("destroy=%v: the generated files are gone: %v", destroy, job.Files)
		}
	}
	if other := f.storedLock(t, f.deps[1]); other.Lock != nil {
		t.Errorf("another deployment got a lock file: %+v", other)
	}
}

// TestPlanKeepsALockFileTerraformOnlyAddedTo: new providers and new hashes of the locked
// versions are kept; a changed version never is, whoever wrote it.
func TestPlanKeepsALockFileTerraformOnlyAddedTo(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	dep := f.deps[0]
	if _, err := f.store.SetDeploymentLock(t.Context(), store.DeploymentLock{DeploymentID: dep, Lock: []byte(lockRandom), By: "ada"}, nil); err != nil {
		t.Fatal(err)
	}
	f.exec.lockOut = func(runner.Job) []byte { return []byte(lockRandomMore) }
	r := f.planOnce(t, dep, false)
	if l := f.storedLock(t, dep); string(l.Lock) != lockRandomMore || l.RunID != r.ID {
		t.Fatalf("after a plan that added to it: %+v", l)
	}
	f.exec.lockOut = func(runner.Job) []byte { return []byte(lockRandomNewer) }
	f.planOnce(t, dep, false)
	if l := f.storedLock(t, dep); string(l.Lock) != lockRandomMore {
		t.Errorf("a run changed a locked version: %q", l.Lock)
	}
	// Dropping a provider or a hash is not an addition either.
	f.exec.lockOut = func(runner.Job) []byte { return []byte(lockRandom) }
	f.planOnce(t, dep, false)
	if l := f.storedLock(t, dep); string(l.Lock) != lockRandomMore {
		t.Errorf("a run dropped from the lock file: %q", l.Lock)
	}
	// A lock file terraform could not have written is not kept.
	f.exec.lockOut = func(runner.Job) []byte { return []byte(lockRandomMore + "\nnot hcl {") }
	f.planOnce(t, dep, false)
	if l := f.storedLock(t, dep); string(l.Lock) != lockRandomMore {
		t.Errorf("an unreadable lock file was kept: %q", l.Lock)
	}
}

// TestPlanLeavesALockChangedWhileItRan: versions a user chose while a plan ran win over
// what that plan's init wrote from the older lock file.
func TestPlanLeavesALockChangedWhileItRan(t *testing.T) {
	t.Parallel()
	f := newService(t, true, 2)
	dep := f.deps[0]
	ctx := t.Context()
	if _, err := f.store.SetDeploymentLock(ctx, store.DeploymentLock{DeploymentID: dep, Lock: []byte(lockRandom), By: "ada"}, nil); err != nil {
		t.Fatal(err)
	}
	f.exec.lockOut = func(runner.Job) []byte { return []byte(lockRandomMore) }
	r, err := f.svc.Plan(ctx, "payments", dep, "ada", false)
	if err != nil {
		t.Fatal(err)
	}
	f.waitStarted(t, r.ID)
	if _, err := f.store.SetDeploymentLock(ctx, store.DeploymentLock{DeploymentID: dep, Lock: []byte(lockRandomNewer), By: "bob"}, []byte(lockRandom)); err != nil {
		t.Fatal(err)
	}
	f.exec.gate(r.ID) <- struct{}{}
	f.waitState(t, r.ID, store.RunPlanned)
	if l := f.storedLock(t, dep); string(l.Lock) != lockRandomNewer || l.By != "bob" {
		t.Errorf("the plan overwrote the versions chosen while it ran: %+v", l)
	}
}

// TestServiceWithoutLocks: with no Options.Locks a plan gets no lock file and keeps none.
func TestServiceWithoutLocks(t *testing.T) {
	t.Parallel()
	f := newService(t, false, 2)
	f.svc.opts.Locks = nil
	dep := f.deps[0]
	if _, err := f.store.SetDeploymentLock(t.Context(), store.DeploymentLock{DeploymentID: dep, Lock: []byte(lockRandom), By: "ada"}, nil); err != nil {
		t.Fatal(err)
	}
	f.exec.lockOut = func(runner.Job) []byte { return []byte(lockRandomMore) }
	r := f.planOnce(t, dep, false)
	job := f.exec.jobsOf(r.ID)[0]
	if _, ok := job.Files[lockFileName]; ok {
		t.Error("a plan without Locks got a lock file")
	}
	if slices.Contains(job.Collect, lockFileName) {
		t.Errorf("a plan without Locks collects %q", job.Collect)
	}
	if l := f.storedLock(t, dep); string(l.Lock) != lockRandom {
		t.Errorf("a plan without Locks kept its lock file: %q", l.Lock)
	}
}
