// Package testenv is the one place tests find the real components CloudOven runs: the
// terraform binary, the Docker Engine, Azurite, Chromium, PostgreSQL (one private cluster
// per test binary, a fresh database per test: Postgres, StopPostgres) and helm (built once,
// helm.go). A test that needs a missing component skips with the reason on a developer
// machine and fails under CI=true, so CI never skips silently. It also loads the embedded
// catalog once (Catalog), and private copies of it whose types carry docs rules a test gives
// (CatalogWithRules).
package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TerraformVersion is the terraform release CloudOven pins and tests with.
const TerraformVersion = "1.5.7"

// Unavailable skips the test with reason, or fails it when CI=true.
func Unavailable(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("required component missing under CI: %s", reason)
	}
	t.Skipf("skipping: %s (make test sets it up)", reason)
}

// RepoRoot is the module root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Terraform returns the path of a terraform 1.5.7 binary: $CLOUDOVEN_TERRAFORM, else the
// one `make terraform` builds into bin/. Any other version is refused, so results are
// comparable everywhere.
func Terraform(t testing.TB) string {
	t.Helper()
	path := os.Getenv("CLOUDOVEN_TERRAFORM")
	if path == "" {
		path = filepath.Join(RepoRoot(), "bin", "terraform")
	}
	if _, err := os.Stat(path); err != nil {
		Unavailable(t, "no terraform binary at "+filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path)+"; run make terraform")
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version").Output()
	if err != nil {
		Unavailable(t, "terraform version: "+err.Error())
		return ""
	}
	if first, _, _ := strings.Cut(string(out), "\n"); strings.TrimSpace(first) != "Terraform v"+TerraformVersion {
		Unavailable(t, "terraform is "+strings.TrimSpace(first)+", want v"+TerraformVersion)
		return ""
	}
	return path
}

// TerraformEnv is the environment terraform runs with in tests: no user CLI configuration,
// no update checks, and a shared plugin cache under the test's temp area.
func TerraformEnv(t testing.TB) map[string]string {
	return map[string]string{
		"TF_CLI_CONFIG_FILE": os.DevNull,
		"CHECKPOINT_DISABLE": "1",
		"TF_IN_AUTOMATION":   "1",
	}
}

// Chromium returns the path of a Chromium binary for browser tests: $CLOUDOVEN_CHROMIUM,
// else Debian's chromium on PATH.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CLOUDOVEN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	Unavailable(t, "no chromium on PATH (Debian package chromium)")
	return ""
}

// ChromiumFlags are the flags a headless Chromium needs on a machine with no network but
// loopback: no background connections, no sandbox (tests run as root in CI), fresh profile.
var ChromiumFlags = []string{
	"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
	"disable-background-networking", "disable-component-update", "disable-sync",
	"disable-dev-shm-usage",
}

// OutputDir is where a test leaves files for people to look at (screenshots): out/<test
// name> under the repository, kept after the run.
func OutputDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(), "out", strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// SharedData is ../shared/data beside the repository: the real provider schemas and doc
// pages tests build on.
func SharedData(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(), "..", "shared", "data")
	for _, need := range []string{filepath.Join("azurerm", "schema.json"), filepath.Join("azurerm", "docs", "r")} {
		if _, err := os.Stat(filepath.Join(dir, need)); err != nil {
			Unavailable(t, "the provider data in ../shared/data is missing")
			return ""
		}
	}
	return dir
}
