package providers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/internal/testregistry"
)

const hostPlatform = "linux_amd64"

var (
	buildMu  sync.Mutex
	built    = map[string]string{} // the test provider's executable by platform, built once per test binary
	buildDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// testProvider builds crawler/internal/testprovider for the host's platform.
func testProvider(t testing.TB) string { return testProviderFor(t, hostPlatform) }

// testProviderFor builds crawler/internal/testprovider for platform once per test binary.
func testProviderFor(t testing.TB, platform string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[platform]; ok {
		return p
	}
	if buildDir == "" {
		dir, err := os.MkdirTemp("", "testprov-")
		if err != nil {
			t.Fatal(err)
		}
		buildDir = dir
	}
	goos, goarch, _ := strings.Cut(platform, "_")
	out := filepath.Join(buildDir, platform, "terraform-provider-testprov")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./crawler/internal/testprovider")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test provider for %s: %v\n%s", platform, err, b)
	}
	built[platform] = out
	return out
}

// newRegistry serves cloudoven/testprov 0.1.0, 0.1.1 and 0.2.0 for linux_amd64.
func newRegistry(t testing.TB) *testregistry.Registry {
	t.Helper()
	return testregistry.New(t, testregistry.Provider{Namespace: "cloudoven", Type: "testprov",
		Versions: []string{"0.1.0", "0.1.1", "0.2.0"}, Binaries: map[string]string{hostPlatform: testProvider(t)}})
}

// openCache opens a cache in dir that installs from reg.
func openCache(t testing.TB, dir string, reg *testregistry.Registry) *Cache {
	t.Helper()
	c, err := Open(dir, Options{Terraform: testenv.Terraform(t), Env: reg.Env()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mountTmpfs mounts a tmpfs of size bytes on a new directory, for faults only a real
// filesystem gives (full, read-only); unavailable where mounting is not allowed.
func mountTmpfs(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.FormatInt(size, 10), "tmpfs", dir).CombinedOutput(); err != nil {
		testenv.Unavailable(t, "mounting a tmpfs (needs root): "+string(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("unmounting the tmpfs: %v: %s", err, out)
		}
	})
	return dir
}

// assertNothingHalfInstalled checks that the cache lists want packages, holds no staged
// install and no package directory beyond those listed.
func assertNothingHalfInstalled(t *testing.T, c *Cache, want int) {
	t.Helper()
	pkgs, err := c.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != want {
		t.Errorf("the cache lists %d packages, want %d: %+v", len(pkgs), want, pkgs)
	}
	staged, err := os.ReadDir(c.stagingDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(staged) != 0 {
		t.Errorf("staging holds %d entries after the install ended", len(staged))
	}
	dirs, _ := filepath.Glob(filepath.Join(c.Dir(), "*", "*", "*", "*", "*"))
	var pkgDirs []string
	for _, d := range dirs {
		if rel, _ := filepath.Rel(c.Dir(), d); rel[0] != '.' {
			pkgDirs = append(pkgDirs, rel)
		}
	}
	if len(pkgDirs) != want {
		t.Errorf("%d package directories, want %d: %v", len(pkgDirs), want, pkgDirs)
	}
}
