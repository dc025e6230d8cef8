package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
	"time"
)

// TimeProviderVersion is the release of hashicorp/time that ProviderMirror builds: a real
// provider with checks in its code (time_rotating's rotation_days at least 1,
// time_static's rfc3339 an RFC 3339 time).
const TimeProviderVersion = "0.14.2"

// ProviderMirror returns a filesystem mirror, in terraform's unpacked layout, with two real
// providers that check values in their code: registry.terraform.io/hashicorp/time
// TimeProviderVersion, built from the Go module proxy, and
// registry.terraform.io/cloudoven/testprov 0.1.0, built from crawler/internal/testprovider.
// The binaries are built once and kept across test runs in a folder of the system's temp
// directory, keyed by the time provider's version and by the test provider's source; each
// call returns a fresh mirror that links to them.
func ProviderMirror(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		Unavailable(t, "no go command on PATH to build the providers")
		return ""
	}
	cache := filepath.Join(os.TempDir(), "cloudoven-test-providers")
	platform := runtime.GOOS + "_" + runtime.GOARCH

	timeDir := filepath.Join(cache, "time-"+TimeProviderVersion+"-"+platform)
	timeBin := filepath.Join(timeDir, "terraform-provider-time_v"+TimeProviderVersion)
	buildOnce(t, timeBin, func(ctx context.Context, out string) *exec.Cmd {
		gobin := filepath.Dir(out)
		cmd := exec.CommandContext(ctx, goBin, "install", "github.com/hashicorp/terraform-provider-time@v"+TimeProviderVersion)
		cmd.Dir = gobin // outside this module: go install of a version ignores go.mod anyway
		cmd.Env = append(os.Environ(), "GOBIN="+gobin, "CGO_ENABLED=0")
		return cmd
	}, "terraform-provider-time")

	src := filepath.Join(RepoRoot(), "crawler", "internal", "testprovider")
	testprovDir := filepath.Join(cache, "testprov-"+sourceHash(t, src)+"-"+platform)
	testprovBin := filepath.Join(testprovDir, "terraform-provider-testprov_v0.1.0")
	buildOnce(t, testprovBin, func(ctx context.Context, out string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, goBin, "build", "-o", filepath.Join(filepath.Dir(out), "terraform-provider-testprov"), "./crawler/internal/testprovider")
		cmd.Dir = RepoRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		return cmd
	}, "terraform-provider-testprov")

	mirror := t.TempDir()
	for _, p := range []struct{ addr, version, dir string }{
		{"registry.terraform.io/hashicorp/time", TimeProviderVersion, timeDir},
		{"registry.terraform.io/cloudoven/testprov", "0.1.0", testprovDir},
	} {
		at := filepath.Join(mirror, filepath.FromSlash(p.addr), p.version)
		if err := os.MkdirAll(at, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p.dir, filepath.Join(at, platform)); err != nil {
			t.Fatal(err)
		}
	}
	return mirror
}

// buildOnce builds the binary at bin unless it is there: cmd builds into a fresh folder
// beside it, as name, and the result is renamed into place, so tests building at once
// never see half a binary.
func buildOnce(t testing.TB, bin string, build func(ctx context.Context, out string) *exec.Cmd, name string) {
	t.Helper()
	if _, err := os.Stat(bin); err == nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(bin), ".build-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	if out, err := build(ctx, filepath.Join(tmp, name)).CombinedOutput(); err != nil {
		Unavailable(t, "building "+name+": "+err.Error()+"\n"+string(out))
		return
	}
	t.Logf("built %s in %s", name, time.Since(start).Round(time.Millisecond))
	if err := os.Rename(filepath.Join(tmp, name), bin); err != nil {
		t.Fatal(err)
	}
}

// sourceHash names a folder's Go files' contents.
func sourceHash(t testing.TB, dir string) string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(names) == 0 {
		t.Fatalf("reading %s: %v", dir, err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(filepath.Base(n) + "\x00"))
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
