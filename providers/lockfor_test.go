package providers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/internal/testregistry"
)

func TestLockFor(t *testing.T) {
	reg := newRegistry(t)
	c := openCache(t, t.TempDir(), reg)
	ctx := context.Background()
	source := reg.Source("cloudoven", "testprov")
	reqs := []Requirement{{Source: source, Constraint: ">= 0.1.0"}}
	zh010 := reg.ArchiveHash("cloudoven", "testprov", "0.1.0", hostPlatform)
	current := Lock{Providers: []Locked{
		{Source: source, Version: "0.1.0", Hashes: []string{zh010, "zh:" + "ab"}},
		{Source: "registry.terraform.io/hashicorp/gone", Version: "1.0.0", Hashes: []string{"h1:x"}},
	}}

	kept, err := c.LockFor(ctx, reqs, current, []string{hostPlatform}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept.Providers) != 1 {
		t.Fatalf("providers %+v: want testprov only (gone is no longer required)", kept.Providers)
	}
	got := kept.Providers[0]
	if got.Version != "0.1.0" || got.Constraints != ">= 0.1.0" {
		t.Errorf("kept: %+v", got)
	}
	// The lock's own hashes stay (other platforms'), the package's h1: joins them.
	if !slices.Contains(got.Hashes, zh010) || !slices.Contains(got.Hashes, "zh:ab") || len(got.Hashes) != 3 {
		t.Errorf("kept hashes %v", got.Hashes)
	}

	upgraded, err := c.LockFor(ctx, reqs, current, []string{hostPlatform}, true)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := c.Ensure(ctx, []Requirement{{Source: source, Constraint: "0.2.0"}}, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	want := Lock{Providers: []Locked{{Source: source, Version: "0.2.0", Constraints: ">= 0.1.0", Hashes: pkgs[0].Hashes}}}
	if diff := cmp.Diff(want, upgraded); diff != "" {
		t.Errorf("upgraded lock (-want +got):\n%s", diff)
	}
	// What LockFor writes, Ensure accepts.
	if _, err := c.Ensure(ctx, reqs, upgraded, []string{hostPlatform}); err != nil {
		t.Errorf("Ensure with the upgraded lock: %v", err)
	}
	parsed, err := ParseLock(upgraded.Bytes())
	if err != nil || !cmp.Equal(parsed, upgraded) {
		t.Errorf("the lock does not round-trip: %v\n%s", err, upgraded.Bytes())
	}

	added, err := c.LockFor(ctx, reqs, Lock{}, []string{hostPlatform}, false)
	if err != nil {
		t.Fatal(err)
	}
	// A provider the lock lacks gets the newest cached version, as Ensure chooses.
	if len(added.Providers) != 1 || added.Providers[0].Version != "0.2.0" {
		t.Errorf("added: %+v", added.Providers)
	}
	if c.Installs() != 2 {
		t.Errorf("%d installs, want 2 (0.1.0, 0.2.0)", c.Installs())
	}
}

func TestSeveralPlatforms(t *testing.T) {
	const arm = "linux_arm64"
	reg := testregistry.New(t, testregistry.Provider{Namespace: "cloudoven", Type: "testprov", Versions: []string{"0.1.0", "0.2.0"},
		Binaries: map[string]string{hostPlatform: testProvider(t), arm: testProviderFor(t, arm)}})
	c := openCache(t, t.TempDir(), reg)
	ctx := context.Background()
	source := reg.Source("cloudoven", "testprov")
	reqs := []Requirement{{Source: source, Constraint: "~> 0.1"}}
	platforms := []string{hostPlatform, arm}

	lock, err := c.LockFor(ctx, reqs, Lock{}, platforms, false)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := c.Ensure(ctx, reqs, lock, platforms)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 || pkgs[0].Platform != hostPlatform || pkgs[1].Platform != arm || pkgs[0].Version != "0.2.0" || pkgs[1].Version != "0.2.0" {
		t.Fatalf("packages %+v: want 0.2.0 for each platform, in order", pkgs)
	}
	if slices.Equal(pkgs[0].Hashes, pkgs[1].Hashes) {
		t.Errorf("both platforms have the hashes %v", pkgs[0].Hashes)
	}
	var want []string
	for _, p := range platforms {
		want = append(want, reg.ArchiveHash("cloudoven", "testprov", "0.2.0", p))
	}
	want = append(want, h1Of(pkgs[0]), h1Of(pkgs[1]))
	slices.Sort(want)
	if diff := cmp.Diff(want, lock.Providers[0].Hashes); diff != "" {
		t.Errorf("the lock's hashes (-want +got):\n%s", diff)
	}
	if c.Installs() != 2 || reg.Downloads() != 2 {
		t.Errorf("%d installs, %d downloads; want 2 and 2", c.Installs(), reg.Downloads())
	}
	// A lock written for one platform does not vouch for another's package.
	one, err := c.LockFor(ctx, reqs, Lock{}, platforms[:1], false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ensure(ctx, reqs, one, platforms); !errors.Is(err, ErrChecksumMismatch) {
		t.Errorf("a package the lock has no hash of: %v", err)
	}
}
