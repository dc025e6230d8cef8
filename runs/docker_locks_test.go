package runs

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

// testprovMain needs cloudoven/testprov at constraint, which only the test mirror has.
func testprovMain(constraint string) []byte {
	return []byte(`terraform {
  required_providers {
    testprov = {
      source  = "cloudoven/testprov"
      version = "` + constraint + `"
    }
  }
}

resource "testprov_widget" "w" {
  name = "locked"
}
`)
}

// testprovMirror builds crawler/internal/testprovider for the daemon's linux into a
// filesystem mirror volume as registry.terraform.io/cloudoven/testprov at each version,
// and removes the volume when the test ends. CGO is off: the runner image has no libc.
func testprovMirror(t *testing.T, cli *client.Client, versions ...string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to build the test provider")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	info, err := cli.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	arch := map[string]string{"x86_64": "amd64", "aarch64": "arm64"}[info.Architecture]
	if arch == "" {
		testenv.Unavailable(t, "no Go architecture for the daemon's "+info.Architecture)
	}
	bin := filepath.Join(t.TempDir(), "terraform-provider-testprov")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./crawler/internal/testprovider")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test provider: %v\n%s", err, b)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, v := range versions {
		dir := "registry.terraform.io/cloudoven/testprov/" + v + "/linux_" + arch + "/"
		for _, d := range []string{"registry.terraform.io/", "registry.terraform.io/cloudoven/", "registry.terraform.io/cloudoven/testprov/",
			"registry.terraform.io/cloudoven/testprov/" + v + "/", dir} {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755}); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: dir + "terraform-provider-testprov_v" + v, Mode: 0o755, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "cloudoven-test-locks-" + hex.EncodeToString(b)
	labels := map[string]string{"cloudoven.test": "runs-locks"}
	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: labels}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cli.VolumeRemove(context.Background(), name, true); err != nil {
			t.Errorf("removing the mirror volume: %v", err)
		}
	})
	// A container created, never started, to copy the mirror into the volume.
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: runner.DefaultImage, Cmd: []string{"version"}, Labels: labels},
		&container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: name, Target: "/mirror"}}}, nil, nil, name+"-loader")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true})
	if err := cli.CopyToContainer(ctx, c.ID, "/mirror", &buf, container.CopyToContainerOptions{}); err != nil {
		t.Fatalf("copying the mirror into its volume: %v", err)
	}
	return name
}

// TestDockerRunKeepsTheLockFile on the real Docker Engine with real terraform and a real
// provider from a filesystem mirror holding testprov 0.1.0 and 0.2.0: the first plan's lock
// file is kept; a later plan installs what it records; and when the blueprint's constraint
// moves to 0.2.0, init refuses the locked 0.1.0 with terraform's own message on the run's
// log, and the lock file is left as it was. Without the kept lock that plan would install
// 0.2.0 and succeed.
func TestDockerRunKeepsTheLockFile(t *testing.T) {
	testenv.RunnerImage(t)
	cli := testenv.Docker(t)
	mirror := testprovMirror(t, cli, "0.1.0", "0.2.0")
	ctx := context.Background()
	st, deps := newStore(t)
	dep := deps[0]

	var mu sync.Mutex
	constraint := "0.1.0"
	prepare := func(ctx context.Context, project string, deploymentID int64) (Prepared, error) {
		mu.Lock()
		defer mu.Unlock()
		// The state is thrown away with the workspace: these runs only plan.
		return Prepared{Files: map[string][]byte{"main.tf": testprovMain(constraint)},
			State: deployment.StateKeeping{Keeper: deployment.KeptByBackend}}, nil
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	exec, err := runner.NewDocker(runner.DockerOptions{Instance: "test-" + hex.EncodeToString(b), Mirror: mirror})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.RemoveOrphans(context.Background())
		exec.Close()
	})
	svc := New(Options{Store: st, Executor: exec, Hub: NewHub(st, nil), Prepare: prepare, Sealer: newSealer(t),
		NetworkMode: "none", Locks: st})
	runCtx, cancel := context.WithCancel(ctx)
	t.Cleanup(func() { cancel(); svc.Wait() })
	if err := svc.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	plan := func(want store.RunState) store.Run {
		t.Helper()
		r, err := svc.Plan(ctx, "payments", dep, "ada", false)
		if err != nil {
			t.Fatal(err)
		}
		got := waitState(t, st, r.ID, want)
		if want == store.RunPlanned {
			if _, err := svc.Discard(ctx, r.ID, "ada"); err != nil {
				t.Fatal(err)
			}
		}
		return got
	}
	locked := func() (store.DeploymentLock, providers.Locked) {
		t.Helper()
		l, err := st.DeploymentLock(ctx, dep)
		if err != nil {
			t.Fatal(err)
		}
		lock, err := providers.ParseLock(l.Lock)
		if err != nil {
			t.Fatalf("the kept lock file: %v\n%s", err, l.Lock)
		}
		p, _ := lock.Provider("registry.terraform.io/cloudoven/testprov")
		return l, p
	}

	first := plan(store.RunPlanned)
	l, p := locked()
	if p.Version != "0.1.0" || len(p.Hashes) == 0 || l.RunID != first.ID {
		t.Fatalf("after the first plan: %+v locks %+v", l, p)
	}
	plan(store.RunPlanned)
	if again, _ := locked(); string(again.Lock) != string(l.Lock) || again.RunID != first.ID {
		t.Errorf("a plan with the same constraint changed the lock file:\n%s", again.Lock)
	}

	mu.Lock()
	constraint = "0.2.0"
	mu.Unlock()
	refused := plan(store.RunErrored)
	logs, err := st.RunLog(ctx, refused.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, line := range logs {
		text.WriteString(line.Text + "\n")
	}
	// terraform wraps its diagnostics at 78 columns.
	if !strings.Contains(strings.Join(strings.Fields(text.String()), " "), "locked provider registry.terraform.io/cloudoven/testprov 0.1.0 does not match configured version constraint 0.2.0") {
		t.Errorf("the refused plan's log lacks terraform's message:\n%s", text.String())
	}
	if after, p := locked(); string(after.Lock) != string(l.Lock) || p.Version != "0.1.0" {
		t.Errorf("a refused plan changed the lock file:\n%s", after.Lock)
	}
}
