package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// HelmVersion is the Helm 3 release the chart is linted and rendered with.
const HelmVersion = "v3.22.0"

var helmOnce struct {
	sync.Once
	path, problem string
}

// Helm returns the path of a helm HelmVersion binary: $CLOUDOVEN_HELM, else bin/helm, which
// it builds the first time with `go install helm.sh/helm/v3/cmd/helm@HelmVersion` from the
// module proxy (Apache-2.0; a few minutes cold, seconds from the Go build cache). Building
// it here, rather than importing Helm's packages, keeps its dependencies out of go.mod.
func Helm(t testing.TB) string {
	t.Helper()
	helmOnce.Do(func() { helmOnce.path, helmOnce.problem = findHelm() })
	if helmOnce.problem != "" {
		Unavailable(t, helmOnce.problem)
		return ""
	}
	return helmOnce.path
}

func findHelm() (path, problem string) {
	path = os.Getenv("CLOUDOVEN_HELM")
	if path == "" {
		path = filepath.Join(RepoRoot(), "bin", "helm")
		if helmVersion(path) != HelmVersion {
			if problem := buildHelm(filepath.Dir(path)); problem != "" {
				return "", problem
			}
		}
	}
	if v := helmVersion(path); v != HelmVersion {
		return "", "helm at " + filepath.Base(path) + " is " + v + ", want " + HelmVersion
	}
	return path, ""
}

// helmVersion is what `helm version` says of itself, or why it said nothing.
func helmVersion(path string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version", "--template", "{{.Version}}").Output()
	if err != nil {
		return "not runnable (" + err.Error() + ")"
	}
	return strings.TrimSpace(string(out))
}

// buildHelm installs helm into dir. go install does not stamp the release into the binary
// (its version then reads "v3.22"): the linker flag does, as Helm's own release build does.
// A cold build on a busy 2-core machine has taken over 15 minutes: it gets 25, inside the
// 30 that .ci/run gives the test that builds it.
func buildHelm(dir string) (problem string) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "no go on PATH to build helm with"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "install", "-trimpath",
		"-ldflags", "-X helm.sh/helm/v3/internal/version.version="+HelmVersion,
		"helm.sh/helm/v3/cmd/helm@"+HelmVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "building helm " + HelmVersion + ": " + err.Error() + ": " + lastLines(string(out), 5)
	}
	return ""
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
