package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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

// RunnerImage makes sure the runner image (cloudoven/terraform:1.5.7) is on the daemon,
// building it with `make runner-image` (offline, from the pinned terraform) when it is
// missing. Test packages run in parallel, so builds are serialised with a file lock.
func RunnerImage(t testing.TB) {
	t.Helper()
	const image = "cloudoven/terraform:1.5.7"
	cli := Docker(t)
	ctx := context.Background()
	if _, err := cli.ImageInspect(ctx, image); err == nil {
		return
	}
	Terraform(t)
	if err := os.MkdirAll(filepath.Join(RepoRoot(), "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	lock, err := os.OpenFile(filepath.Join(RepoRoot(), "bin", ".runner-image.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := cli.ImageInspect(ctx, image); err == nil {
		return // another package built it while this one waited
	}
	cmd := exec.Command("make", "-C", RepoRoot(), "runner-image")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make runner-image: %v\n%s", err, out)
	}
}
