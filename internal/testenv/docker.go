package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// Docker returns a client for the Docker daemon the environment names (DOCKER_HOST, else
// the local socket), after checking that it answers. It is closed when the test ends.
func Docker(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		Unavailable(t, "docker client: "+err.Error())
		return nil
	}
	t.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		Unavailable(t, "no Docker daemon answers at "+cli.DaemonHost()+": "+err.Error())
		return nil
	}
	return cli
}

var runnerImage struct {
	sync.Mutex
	built bool
}

// RunnerImage builds the runner image (cloudoven/terraform:1.5.7-3, runner.DefaultImage)
// with `make runner-image` (offline, from the pinned terraform) once per test binary,
// whether or not the daemon has one: it carries the module's stage driver
// (cmd/cloudoven-stage), and an image built from an older checkout would test that instead.
// It also builds the egress proxy's image (EgressImage), which runs whose environment
// controls egress need. The build is cached, so a rebuild of unchanged code takes a moment.
// Test packages run in parallel, so builds are serialised with a file lock.
func RunnerImage(t testing.TB) {
	t.Helper()
	Docker(t)
	EgressImage(t)
	runnerImage.Lock()
	defer runnerImage.Unlock()
	if runnerImage.built {
		return
	}
	Terraform(t)
	unlock := imageLock(t)
	defer unlock()
	cmd := exec.Command("make", "-C", RepoRoot(), "runner-image")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make runner-image: %v\n%s", err, out)
	}
	runnerImage.built = true
}

var egressImage struct {
	sync.Mutex
	built bool
}

// EgressImage builds the egress proxy's image (cloudoven/egress:1) with `make egress-image`
// once per test binary, whether or not the daemon has one: the proxy's code is the
// module's, and an image built from an older checkout would test that instead. The build is
// cached, so a rebuild of unchanged code takes a moment.
func EgressImage(t testing.TB) {
	t.Helper()
	Docker(t)
	egressImage.Lock()
	defer egressImage.Unlock()
	if egressImage.built {
		return
	}
	unlock := imageLock(t)
	defer unlock()
	cmd := exec.Command("make", "-C", RepoRoot(), "egress-image")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make egress-image: %v\n%s", err, out)
	}
	egressImage.built = true
}

var serverImage struct {
	sync.Mutex
	name string
}

// ServerImage builds the server's image (deploy/image/Dockerfile, cloudoven/server tagged
// with the chart's appVersion, the image the Helm chart runs by default) with `make
// server-image` once per test binary, whether or not the daemon has one, and returns its
// name: an image built from an older checkout would test that code instead. The build is
// cached, so a rebuild of unchanged code takes a moment.
func ServerImage(t testing.TB) string {
	t.Helper()
	Docker(t)
	serverImage.Lock()
	defer serverImage.Unlock()
	if serverImage.name != "" {
		return serverImage.name
	}
	Terraform(t)
	version, err := chartAppVersion()
	if err != nil {
		t.Fatal(err)
	}
	unlock := imageLock(t)
	defer unlock()
	cmd := exec.Command("make", "-C", RepoRoot(), "server-image")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make server-image: %v\n%s", err, out)
	}
	serverImage.name = "cloudoven/server:" + version
	return serverImage.name
}

// chartAppVersion is the Helm chart's appVersion, the server image's tag (the Makefile reads
// it the same way).
func chartAppVersion() (string, error) {
	chart := filepath.Join(RepoRoot(), "deploy", "helm", "cloudoven", "Chart.yaml")
	data, err := os.ReadFile(chart)
	if err != nil {
		return "", fmt.Errorf("reading the chart's appVersion: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "appVersion: "); ok {
			if v = strings.Trim(strings.TrimSpace(v), `"`); v != "" {
				return v, nil
			}
		}
	}
	return "", fmt.Errorf("reading the chart's appVersion: no appVersion line in %s", filepath.Base(chart))
}

// imageLock serialises image builds across the test binaries running at once.
func imageLock(t testing.TB) (unlock func()) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(RepoRoot(), "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(RepoRoot(), "bin", ".runner-image.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		lock.Close()
		t.Fatal(err)
	}
	return func() {
		syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
		lock.Close()
	}
}
