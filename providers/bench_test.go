package providers

import (
	"context"
	"testing"
)

// BenchmarkEnsureWarm is what every run pays once its providers are cached: reading the
// metadata, no lock taken, nothing downloaded.
func BenchmarkEnsureWarm(b *testing.B) {
	reg := newRegistry(b)
	c := openCache(b, b.TempDir(), reg)
	reqs := []Requirement{{Source: reg.Source("cloudoven", "testprov"), Constraint: "~> 0.1.0"}}
	ctx := context.Background()
	if _, err := c.Ensure(ctx, reqs, Lock{}, []string{hostPlatform}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Ensure(ctx, reqs, Lock{}, []string{hostPlatform}); err != nil {
			b.Fatal(err)
		}
	}
	if c.Installs() != 1 {
		b.Errorf("%d installs, want 1", c.Installs())
	}
}

// BenchmarkEnsureLocked is the same with a lock file naming the version, the common case
// of a deployment's runs.
func BenchmarkEnsureLocked(b *testing.B) {
	reg := newRegistry(b)
	c := openCache(b, b.TempDir(), reg)
	source := reg.Source("cloudoven", "testprov")
	reqs := []Requirement{{Source: source}}
	lock := Lock{Providers: []Locked{{Source: source, Version: "0.1.0", Hashes: []string{reg.ArchiveHash("cloudoven", "testprov", "0.1.0", hostPlatform)}}}}
	ctx := context.Background()
	if _, err := c.Ensure(ctx, reqs, lock, []string{hostPlatform}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.Ensure(ctx, reqs, lock, []string{hostPlatform}); err != nil {
			b.Fatal(err)
		}
	}
}
