package providers

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestEnsureInstallsFromTheRegistryOnce(t *testing.T) {
	reg := newRegistry(t)
	c := openCache(t, t.TempDir(), reg)
	ctx := context.Background()
	source := reg.Source("cloudoven", "testprov")
	reqs := []Requirement{{Source: source, Constraint: "~> 0.1.0"}}

	start := time.Now()
	pkgs, err := c.Ensure(ctx, reqs, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	cold := time.Since(start)
	if len(pkgs) != 1 {
		t.Fatalf("got %d packages, want 1", len(pkgs))
	}
	p := pkgs[0]
	// 0.1.1 is the newest matching ~> 0.1.0; 0.2.0 is not.
	if p.Source != source || p.Version != "0.1.1" || p.Platform != hostPlatform || p.From != "registry" {
		t.Errorf("package: %+v", p)
	}
	if p.Dir != filepath.Join(c.Dir(), filepath.FromSlash(p.Path())) {
		t.Errorf("dir %s, want under %s at %s", p.Dir, c.Dir(), p.Path())
	}
	fi, err := os.Stat(filepath.Join(p.Dir, "terraform-provider-testprov_v0.1.1"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 || fi.Size() != p.Size {
		t.Errorf("provider executable: mode %v, size %d; package size %d", fi.Mode(), fi.Size(), p.Size)
	}
	zh := reg.ArchiveHash("cloudoven", "testprov", "0.1.1", hostPlatform)
	if len(p.Hashes) != 2 || !slices.Contains(p.Hashes, zh) || !strings.HasPrefix(p.Hashes[0], "h1:") {
		t.Errorf("hashes %v, want an h1: and the registry's %s", p.Hashes, zh)
	}
	if c.Installs() != 1 || reg.Downloads() != 1 {
		t.Errorf("%d installs, %d downloads; want 1 and 1", c.Installs(), reg.Downloads())
	}

	start = time.Now()
	again, err := c.Ensure(ctx, reqs, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	warm := time.Since(start)
	if len(again) != 1 || again[0].Version != p.Version || !slices.Equal(again[0].Hashes, p.Hashes) {
		t.Errorf("warm Ensure: %+v, want %+v", again, p)
	}
	if c.Installs() != 1 || reg.Downloads() != 1 {
		t.Errorf("after a warm Ensure: %d installs, %d downloads; want 1 and 1", c.Installs(), reg.Downloads())
	}
	t.Logf("cold Ensure %s, warm Ensure %s", cold.Round(time.Millisecond), warm.Round(time.Microsecond))

	// The newest cached version matching wins over the registry's newer one.
	any, err := c.Ensure(ctx, []Requirement{{Source: source}}, Lock{}, []string{hostPlatform})
	if err != nil || any[0].Version != "0.1.1" || c.Installs() != 1 {
		t.Errorf("no constraint: %+v, %v, %d installs; want the cached 0.1.1", any, err, c.Installs())
	}
	newer, err := c.Ensure(ctx, []Requirement{{Source: source, Constraint: ">= 0.2.0"}}, Lock{}, []string{hostPlatform})
	if err != nil || newer[0].Version != "0.2.0" || c.Installs() != 2 {
		t.Errorf(">= 0.2.0: %+v, %v, %d installs; want 0.2.0 installed", newer, err, c.Installs())
	}
	list, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Version != "0.1.1" || list[1].Version != "0.2.0" {
		t.Errorf("list: %+v", list)
	}
	assertNothingHalfInstalled(t, c, 2)
}

func TestConcurrentEnsureInstallsOnce(t *testing.T) {
	reg := newRegistry(t)
	dir := t.TempDir()
	// Two Cache values on one directory stand for two server processes: only the file
	// lock is shared between them.
	caches := []*Cache{openCache(t, dir, reg), openCache(t, dir, reg)}
	reqs := []Requirement{{Source: reg.Source("cloudoven", "testprov"), Constraint: "0.2.0"}}
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	versions := make(chan string, 10)
	for i := range 10 {
		wg.Go(func() {
			pkgs, err := caches[i%2].Ensure(context.Background(), reqs, Lock{}, []string{hostPlatform})
			if err != nil {
				errs <- err
				return
			}
			versions <- pkgs[0].Version
		})
	}
	wg.Wait()
	close(errs)
	close(versions)
	for err := range errs {
		t.Error(err)
	}
	for v := range versions {
		if v != "0.2.0" {
			t.Errorf("got version %s", v)
		}
	}
	installs := caches[0].Installs() + caches[1].Installs()
	t.Logf("10 concurrent Ensure calls on two caches: %d installs, %d downloads", installs, reg.Downloads())
	if installs != 1 || reg.Downloads() != 1 {
		t.Errorf("%d installs, %d downloads; want 1 and 1", installs, reg.Downloads())
	}
	assertNothingHalfInstalled(t, caches[0], 1)
}

func TestEnsureKeepsTheLockedVersion(t *testing.T) {
	reg := newRegistry(t)
	c := openCache(t, t.TempDir(), reg)
	ctx := context.Background()
	source := reg.Source("cloudoven", "testprov")
	reqs := []Requirement{{Source: source, Constraint: ">= 0.1.0"}}
	zh := reg.ArchiveHash("cloudoven", "testprov", "0.1.0", hostPlatform)

	lock := Lock{Providers: []Locked{{Source: source, Version: "0.1.0", Hashes: []string{zh}}}}
	pkgs, err := c.Ensure(ctx, reqs, lock, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	if pkgs[0].Version != "0.1.0" {
		t.Errorf("version %s, want the locked 0.1.0 (0.2.0 is newer)", pkgs[0].Version)
	}

	t.Run("a checksum the lock does not record is refused", func(t *testing.T) {
		bad := Lock{Providers: []Locked{{Source: source, Version: "0.1.0", Hashes: []string{"zh:" + strings.Repeat("0", 64)}}}}
		got, err := c.Ensure(ctx, reqs, bad, []string{hostPlatform})
		if !errors.Is(err, ErrChecksumMismatch) || got != nil {
			t.Fatalf("got %v, %v; want no package and ErrChecksumMismatch", got, err)
		}
		for _, want := range []string{source, "0.1.0", "none of those the lock file records"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})
	t.Run("a locked version outside the constraint is refused", func(t *testing.T) {
		_, err := c.Ensure(ctx, []Requirement{{Source: source, Constraint: ">= 0.2.0"}}, lock, []string{hostPlatform})
		if err == nil || !strings.Contains(err.Error(), "does not match the constraint") {
			t.Errorf("got %v", err)
		}
	})
	if c.Installs() != 1 {
		t.Errorf("%d installs, want 1", c.Installs())
	}
}

func TestRemove(t *testing.T) {
	reg := newRegistry(t)
	c := openCache(t, t.TempDir(), reg)
	ctx := context.Background()
	source := reg.Source("cloudoven", "testprov")
	pkgs, err := c.Ensure(ctx, []Requirement{{Source: source, Constraint: "0.1.0"}}, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Remove(ctx, source, "0.1.0", hostPlatform); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pkgs[0].Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the package directory is still there: %v", err)
	}
	assertNothingHalfInstalled(t, c, 0)
	if err := c.Remove(ctx, source, "0.1.0", hostPlatform); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing it again: %v", err)
	}
	if err := c.Remove(ctx, "../../etc", "0.1.0", hostPlatform); err == nil {
		t.Error("an address that leaves the cache was accepted")
	}
}

func TestOpenRemovesWhatACrashLeft(t *testing.T) {
	reg := newRegistry(t)
	dir := t.TempDir()
	c := openCache(t, dir, reg)
	source := reg.Source("cloudoven", "testprov")
	pkgs, err := c.Ensure(context.Background(), []Requirement{{Source: source, Constraint: "0.1.0"}}, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	// A crash in the middle of an install leaves a staging directory; one between the
	// rename and the metadata's write leaves a package directory without metadata.
	if err := os.MkdirAll(filepath.Join(c.stagingDir(), "install-123", "package"), 0o755); err != nil {
		t.Fatal(err)
	}
	unfinished := filepath.Join(dir, filepath.FromSlash(source), "0.2.0", hostPlatform)
	if err := os.MkdirAll(unfinished, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(unfinished, "terraform-provider-testprov_v0.2.0"), []byte("half"), 0o755); err != nil {
		t.Fatal(err)
	}
	c2 := openCache(t, dir, reg)
	assertNothingHalfInstalled(t, c2, 1)
	if _, err := os.Stat(pkgs[0].Dir); err != nil {
		t.Errorf("the finished package went: %v", err)
	}

	// Files removed by hand are installed again.
	if err := os.RemoveAll(pkgs[0].Dir); err != nil {
		t.Fatal(err)
	}
	again, err := c2.Ensure(context.Background(), []Requirement{{Source: source, Constraint: "0.1.0"}}, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(again[0].Dir); err != nil || c2.Installs() != 1 {
		t.Errorf("after the files went: %v, %d installs; want them installed again", err, c2.Installs())
	}
}
