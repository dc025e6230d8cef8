package runs

import (
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

	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/store"
)

// testprovMain needs cloudoven/testprov at constraint, which only the test mirror has.
func testprovMain(constraint, name string) []byte {
	return []byte(`terraform {
  required_providers {
    testprov = {
      source  = "cloudoven/testprov"
      version = "` + constraint + `"
    }
  }
}

resource "testprov_widget" "w" {
  name = "` + name + `"
}
`)
}

// testprovMirror builds crawler/internal/testprovider for the daemon's linux into an
// operator's provider mirror directory (terraform's unpacked layout) as
// registry.terraform.io/cloudoven/testprov at each version, and returns the directory and
// the daemon's platform. CGO is off: the runner image has no libc.
func testprovMirror(t *testing.T, cli *client.Client, versions ...string) (string, string) {
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
	platform, err := runner.PlatformOf(info.OSType, info.Architecture)
	if err != nil {
		testenv.Unavailable(t, err.Error())
	}
	goos, goarch, _ := strings.Cut(platform, "_")
	bin := filepath.Join(t.TempDir(), "terraform-provider-testprov")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./crawler/internal/testprovider")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test provider: %v\n%s", err, b)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	mirror := t.TempDir()
	for _, v := range versions {
		dir := filepath.Join(mirror, "registry.terraform.io", "cloudoven", "testprov", v, platform)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		testenv.WriteExecutable(t, filepath.Join(dir, "terraform-provider-testprov_v"+v), data)
	}
	return mirror, platform
}

// TestDockerRunKeepsTheLockFile on the real Docker Engine with real terraform and a real
// provider from a filesystem mirror holding testprov 0.1.0 and 0.2.0: the first plan's lock
// file is kept; a later plan installs what it records; and when the blueprint's constraint
// moves to 0.2.0, the provider cache refuses the locked 0.1.0 before anything runs, saying
// so on the run's log, and the lock file is left as it was. Without the kept lock that plan would install
// 0.2.0 and succeed.
func TestDockerRunKeepsTheLockFile(t *testing.T) {
	testenv.RunnerImage(t)
	cli := testenv.Docker(t)
	mirror, platform := testprovMirror(t, cli, "0.1.0", "0.2.0")
	ctx := context.Background()
	st, deps := newStore(t)
	dep := deps[0]

	var mu sync.Mutex
	constraint, name := "0.1.0", "locked"
	prepare := func(ctx context.Context, project string, deploymentID int64) (Prepared, error) {
		mu.Lock()
		defer mu.Unlock()
		// The state is thrown away with the workspace: these runs only plan.
		return Prepared{Files: map[string][]byte{"main.tf": testprovMain(constraint, name)},
			State: deployment.StateKeeping{Keeper: deployment.KeptByBackend}}, nil
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	instance := "test-" + hex.EncodeToString(b)
	exec, err := runner.NewDocker(runner.DockerOptions{Instance: instance})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.RemoveOrphans(context.Background(), nil)
		exec.Close()
	})
	// The server's provider cache, filled from the operator's mirror, is where the runs'
	// providers come from: their network is none.
	cache, err := providers.Open(t.TempDir(), providers.Options{Terraform: testenv.Terraform(t), Mirror: mirror})
	if err != nil {
		t.Fatal(err)
	}
	volumes := providers.NewVolumes(cli, runner.DefaultImage, instance, cache)
	t.Cleanup(func() {
		pkgs, _ := cache.List(context.Background())
		for _, p := range pkgs {
			if err := volumes.Remove(context.Background(), p.Source, p.Version, p.Platform); err != nil {
				t.Errorf("removing the package's volume: %v", err)
			}
		}
	})
	source := &providers.Server{Cache: cache, Volumes: volumes, Platform: func(context.Context) (string, error) { return platform, nil }}
	svc := New(Options{Store: st, Executor: exec, Hub: NewHub(st, nil), Prepare: prepare, Sealer: newSealer(t),
		NetworkMode: "none", Locks: st, Providers: source})
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
	if text := storedLog(t, st, first.ID); !strings.Contains(text, "the providers' check before the plan (terraform validate with the providers' own code) found no problems") {
		t.Errorf("the first plan's log does not report the providers' check:\n%s", text)
	}
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
	text := storedLog(t, st, refused.ID)
	// The cache refuses before any container starts, as terraform's init would (its
	// "locked provider ... does not match configured version constraint").
	if !strings.Contains(text, "the lock file records version 0.1.0, which does not match the constraint \"0.2.0\": upgrade the providers") {
		t.Errorf("the refused plan's log does not say why:\n%s", text)
	}
	if after, p := locked(); string(after.Lock) != string(l.Lock) || p.Version != "0.1.0" {
		t.Errorf("a refused plan changed the lock file:\n%s", after.Lock)
	}

	// The providers' own check: the provider refuses the name in its code (a validator no
	// schema shows), and the plan ends before it reads the state.
	mu.Lock()
	constraint, name = "0.1.0", "Not Valid"
	mu.Unlock()
	checked := plan(store.RunErrored)
	text = strings.Join(strings.Fields(storedLog(t, st, checked.ID)), " ")
	for _, want := range []string{"the providers' check before the plan (terraform validate with the providers' own code): 1 error, 0 warnings",
		"error on the blueprint: Invalid Attribute Value Match", "(main.tf, line 11)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the checked plan's log lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(checked.Error, "the providers' check found 1 error") {
		t.Errorf("the checked plan ended with %q", checked.Error)
	}

	// Four runs, one install: the cache had 0.1.0 from the first; 0.2.0 was never needed.
	if n := cache.Installs(); n != 1 {
		t.Errorf("the cache installed %d packages for four runs of one provider version, want 1", n)
	}
}

// storedLog is a run's stored log as text.
func storedLog(t *testing.T, st *store.Store, runID string) string {
	t.Helper()
	logs, err := st.RunLog(context.Background(), runID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, line := range logs {
		text.WriteString(line.Text + "\n")
	}
	return text.String()
}
