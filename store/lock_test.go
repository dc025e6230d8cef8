package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const lockV1 = `provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.0"
  constraints = "~> 3.0"
  hashes = [
    "h1:aaaa",
  ]
}
`

const lockV2 = `provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.2"
  constraints = "~> 3.0"
  hashes = [
    "h1:bbbb",
  ]
}

provider "registry.terraform.io/hashicorp/null" {
  version = "3.2.1"
  hashes = [
    "h1:cccc",
  ]
}
`

// TestDeploymentLock: none at first, kept, replaced only over the lock it was read as, and
// refused when it is not a lock file, too large, or of no deployment.
func TestDeploymentLock(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	got, err := s.DeploymentLock(ctx, d.ID)
	if err != nil || got.Lock != nil || !got.UpdatedAt.IsZero() {
		t.Fatalf("before any lock: %+v, %v; want the zero lock", got, err)
	}
	set, err := s.SetDeploymentLock(ctx, DeploymentLock{DeploymentID: d.ID, Lock: []byte(lockV1), RunID: "run-1", Reason: "first init"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err = s.DeploymentLock(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(set, got); diff != "" {
		t.Errorf("read back (-set +got):\n%s", diff)
	}
	if string(got.Lock) != lockV1 || got.RunID != "run-1" || got.Reason != "first init" || got.UpdatedAt.IsZero() {
		t.Errorf("read back %+v", got)
	}
	// A writer that read no lock, or another one, must not overwrite it.
	if _, err := s.SetDeploymentLock(ctx, DeploymentLock{DeploymentID: d.ID, Lock: []byte(lockV2)}, nil); !errors.Is(err, ErrConflict) {
		t.Errorf("over a lock it did not read: %v, want ErrConflict", err)
	}
	if _, err := s.SetDeploymentLock(ctx, DeploymentLock{DeploymentID: d.ID, Lock: []byte(lockV2)}, []byte(lockV2)); !errors.Is(err, ErrConflict) {
		t.Errorf("over another lock: %v, want ErrConflict", err)
	}
	if _, err := s.SetDeploymentLock(ctx, DeploymentLock{DeploymentID: d.ID, Lock: []byte(lockV2), By: "alice"}, []byte(lockV1)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.DeploymentLock(ctx, d.ID); string(got.Lock) != lockV2 || got.By != "alice" || got.RunID != "" {
		t.Errorf("after replacing: %+v", got)
	}
	for name, tc := range map[string]struct {
		l    DeploymentLock
		want error
	}{
		"empty":         {DeploymentLock{DeploymentID: d.ID}, ErrInvalidLock},
		"not a lock":    {DeploymentLock{DeploymentID: d.ID, Lock: []byte(`module "x" {}`)}, ErrInvalidLock},
		"over 1 MiB":    {DeploymentLock{DeploymentID: d.ID, Lock: []byte(strings.Repeat("#", 1<<20+1))}, ErrTooLarge},
		"long reason":   {DeploymentLock{DeploymentID: d.ID, Lock: []byte(lockV1), Reason: strings.Repeat("x", MaxTextBytes+1)}, ErrTooLarge},
		"no deployment": {DeploymentLock{DeploymentID: d.ID + 100, Lock: []byte(lockV1)}, ErrNotFound},
	} {
		if _, err := s.SetDeploymentLock(ctx, tc.l, []byte(lockV2)); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if got, _ := s.DeploymentLock(ctx, d.ID); string(got.Lock) != lockV2 {
		t.Errorf("a refused write changed the lock: %q", got.Lock)
	}
}

// TestPendingLock: a candidate is kept, replaced, used (becoming the lock, and gone) or
// discarded; one made from a lock that has changed since is refused and stays.
func TestPendingLock(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	if p, err := s.PendingLock(ctx, d.ID); err != nil || p.Lock != nil {
		t.Fatalf("before any: %+v, %v", p, err)
	}
	if _, err := s.UsePendingLock(ctx, d.ID, "alice", "upgrade"); !errors.Is(err, ErrNotFound) {
		t.Errorf("using none: %v, want ErrNotFound", err)
	}
	if err := s.SetPendingLock(ctx, PendingLock{DeploymentID: d.ID, Lock: []byte(lockV1), By: "alice"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.PendingLock(ctx, d.ID)
	if err != nil || string(p.Lock) != lockV1 || p.Base != nil || p.By != "alice" || p.CreatedAt.IsZero() {
		t.Fatalf("read back %+v, %v", p, err)
	}
	l, err := s.UsePendingLock(ctx, d.ID, "alice", "upgrade providers")
	if err != nil {
		t.Fatal(err)
	}
	if string(l.Lock) != lockV1 || l.By != "alice" || l.Reason != "upgrade providers" {
		t.Errorf("used: %+v", l)
	}
	if got, _ := s.DeploymentLock(ctx, d.ID); string(got.Lock) != lockV1 {
		t.Errorf("the lock after use: %q", got.Lock)
	}
	if p, _ := s.PendingLock(ctx, d.ID); p.Lock != nil {
		t.Errorf("still pending after use: %+v", p)
	}

	// A candidate made from lockV1, then a run changes the lock: using it is refused.
	if err := s.SetPendingLock(ctx, PendingLock{DeploymentID: d.ID, Lock: []byte(lockV2), Base: []byte(lockV1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetDeploymentLock(ctx, DeploymentLock{DeploymentID: d.ID, Lock: []byte(lockV1 + "\n"), RunID: "run-2"}, []byte(lockV1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UsePendingLock(ctx, d.ID, "alice", ""); !errors.Is(err, ErrConflict) {
		t.Errorf("over a changed lock: %v, want ErrConflict", err)
	}
	if p, _ := s.PendingLock(ctx, d.ID); string(p.Lock) != lockV2 {
		t.Errorf("a refused use dropped the candidate: %+v", p)
	}
	if err := s.ClearPendingLock(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.PendingLock(ctx, d.ID); p.Lock != nil {
		t.Errorf("after discard: %+v", p)
	}
	if err := s.ClearPendingLock(ctx, d.ID); err != nil {
		t.Errorf("a second discard: %v", err)
	}
	if err := s.SetPendingLock(ctx, PendingLock{DeploymentID: d.ID, Lock: []byte("nope")}); !errors.Is(err, ErrInvalidLock) {
		t.Errorf("a bad candidate: %v, want ErrInvalidLock", err)
	}
	if err := s.SetPendingLock(ctx, PendingLock{DeploymentID: d.ID + 100, Lock: []byte(lockV1)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("no deployment: %v, want ErrNotFound", err)
	}
}

// TestLockUsage: provider versions with the deployments naming them; a stored lock that no
// longer parses is skipped and reported, not an error.
func TestLockUsage(t *testing.T) {
	t.Parallel()
	s, d := newStateDeployment(t)
	ctx := t.Context()
	d2, err := s.CreateDeployment(ctx, "payments", "aks", 1, "prod", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetDeploymentLock(ctx, DeploymentLock{DeploymentID: d.ID, Lock: []byte(lockV1)}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetDeploymentLock(ctx, DeploymentLock{DeploymentID: d2.ID, Lock: []byte(lockV2)}, nil); err != nil {
		t.Fatal(err)
	}
	u, err := s.LockUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dev := LockUser{DeploymentID: d.ID, Project: "payments", Blueprint: "aks", Environment: "dev"}
	prod := LockUser{DeploymentID: d2.ID, Project: "payments", Blueprint: "aks", Environment: "prod"}
	want := []ProviderUse{
		{Source: "registry.terraform.io/hashicorp/null", Version: "3.2.1", Deployments: []LockUser{prod}},
		{Source: "registry.terraform.io/hashicorp/random", Version: "3.6.0", Deployments: []LockUser{dev}},
		{Source: "registry.terraform.io/hashicorp/random", Version: "3.6.2", Deployments: []LockUser{prod}},
	}
	if diff := cmp.Diff(want, u.Providers); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if got := u.Using("registry.terraform.io/hashicorp/random", "3.6.0"); !cmp.Equal(got, []LockUser{dev}) {
		t.Errorf("Using random 3.6.0: %+v", got)
	}
	if got := u.Using("registry.terraform.io/hashicorp/random", "9.9.9"); got != nil {
		t.Errorf("Using a version no lock names: %+v", got)
	}

	// A lock stored by hand (or an older build) that does not parse.
	if _, err := s.db.ExecContext(ctx, `UPDATE deployment_locks SET lock = ? WHERE deployment_id = ?`, []byte("garbage {"), d.ID); err != nil {
		t.Fatal(err)
	}
	u, err = s.LockUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Unreadable) != 1 || u.Unreadable[0].DeploymentID != d.ID || u.Unreadable[0].Err == nil {
		t.Errorf("unreadable: %+v", u.Unreadable)
	}
	if len(u.Providers) != 2 || u.Using("registry.terraform.io/hashicorp/random", "3.6.0") != nil {
		t.Errorf("the unreadable lock still counts: %+v", u.Providers)
	}
}
