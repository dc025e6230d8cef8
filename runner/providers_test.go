package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// testprovConfig needs cloudoven/testprov, which only the test's provider package has.
const testprovConfig = `terraform {
  required_providers {
    testprov = {
      source  = "cloudoven/testprov"
      version = "0.1.0"
    }
  }
}

resource "testprov_widget" "w" {
  name = "from-the-package"
}
`

// testprovPath is the test provider's package path for a Go architecture.
func testprovPath(arch string) string {
	return "registry.terraform.io/cloudoven/testprov/0.1.0/linux_" + arch
}

// buildPackage builds crawler/internal/testprovider for linux on arch into a fresh package
// directory: the provider's binary at its root, as package providers unpacks one. CGO is
// off: the runner image is FROM scratch, with no libc to link against.
func buildPackage(t *testing.T, arch string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to build the test provider")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", filepath.Join(dir, "terraform-provider-testprov_v0.1.0"), "./crawler/internal/testprovider")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	start := time.Now()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test provider: %v\n%s", err, b)
	}
	t.Logf("built the test provider in %s", time.Since(start).Round(time.Millisecond))
	return dir
}

// daemonArch is the Go architecture of the daemon's machine.
func daemonArch(t *testing.T, cli *client.Client) string {
	t.Helper()
	v, err := cli.ServerVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v.Arch
}

// packageVolume copies dir's files into a new volume, at its root, through a container
// that is created but never started, and removes the volume when the test ends.
func packageVolume(t *testing.T, cli *client.Client, dir string) string {
	t.Helper()
	ctx := context.Background()
	name := "cloudoven-" + newRunID(t) + "-provider"
	labels := map[string]string{"cloudoven.test": "runner"}
	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: labels}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cli.VolumeRemove(context.Background(), name, true); err != nil {
			t.Errorf("removing the provider volume: %v", err)
		}
	})
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: e.Name(), Mode: 0o755, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: DefaultImage, Cmd: []string{"version"}, Labels: labels},
		&container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: name, Target: "/package"}}}, nil, nil, name+"-loader")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
	if err := cli.CopyToContainer(ctx, c.ID, "/package", &buf, container.CopyToContainerOptions{}); err != nil {
		t.Fatalf("copying the package into its volume: %v", err)
	}
	return name
}

// notInstallable is terraform's own words for a provider that none of its installation
// methods offers.
const notInstallable = "provider registry.terraform.io/cloudoven/testprov was not found in any of the search locations"

func TestDockerProvidersComeOnlyFromPackages(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{})
	arch := daemonArch(t, cli)
	pkg := ProviderPackage{Path: testprovPath(arch), Volume: packageVolume(t, cli, buildPackage(t, arch))}
	var mu sync.Mutex
	steps := map[string][]container.InspectResponse{}
	d.created = func(ctx context.Context, role, id string) {
		if role != "step" {
			return
		}
		info, err := cli.ContainerInspect(ctx, id)
		if err != nil {
			t.Errorf("inspecting a step container: %v", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		run := info.Config.Labels[LabelRun]
		steps[run] = append(steps[run], info)
	}
	job := func() Job {
		return Job{
			RunID:       newRunID(t),
			Files:       map[string][]byte{"main.tf": []byte(testprovConfig)},
			Steps:       [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color"}},
			NetworkMode: "none",
			Providers:   []ProviderPackage{pkg},
		}
	}

	t.Run("offline job installs from its package", func(t *testing.T) {
		t.Parallel()
		j := job()
		out := &output{t: t}
		res, err := d.Run(context.Background(), j, out)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
		}
		// A registry install says "signed by"; one from a filesystem mirror is unauthenticated
		// and makes terraform warn about the custom installation methods.
		for _, want := range []string{
			"Installed cloudoven/testprov v0.1.0 (unauthenticated)",
			"Due to your customized provider installation methods",
			"Plan: 1 to add, 0 to change, 0 to destroy.",
		} {
			if !out.has(want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		mu.Lock()
		created := steps[j.RunID]
		mu.Unlock()
		if len(created) != 1 {
			t.Fatalf("%d containers ran terraform, want 1 for both steps", len(created))
		}
		info := created[0]
		var found bool
		for _, m := range info.Mounts {
			if m.Destination != providersDir+"/"+pkg.Path {
				continue
			}
			found = true
			if m.Name != pkg.Volume || m.RW {
				t.Errorf("the package is volume %q, writable %v; want %q read-only", m.Name, m.RW, pkg.Volume)
			}
		}
		if !found {
			t.Errorf("the package is not mounted at %s/%s: %+v", providersDir, pkg.Path, info.Mounts)
		}
		if !hasAll(info.Config.Env, "TF_CLI_CONFIG_FILE=/workspace/.cloudoven.tfrc") {
			t.Errorf("env lacks TF_CLI_CONFIG_FILE: %v", info.Config.Env)
		}
		if !info.HostConfig.ReadonlyRootfs {
			t.Error("root filesystem is writable")
		}
		assertNothingLeft(t, cli, j.RunID)
	})

	// Egress control without the registry: nothing asks the registry, through the proxy,
	// which would refuse it.
	t.Run("job held to an allow-list installs from its package", func(t *testing.T) {
		t.Parallel()
		testenv.EgressImage(t)
		j := job()
		j.NetworkMode, j.Egress = "", &Egress{Allow: []string{"management.azure.com"}}
		out := &output{t: t}
		res, err := d.Run(context.Background(), j, out)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
		}
		if !out.has("Installed cloudoven/testprov v0.1.0 (unauthenticated)") || out.has("refused") {
			t.Errorf("the provider did not come from the package alone:\n%s", out)
		}
		assertNothingLeft(t, cli, j.RunID)
	})

	// On a network that reaches out, a provider the job lacks is still not downloaded:
	// init fails with terraform's own words, not with a registry's.
	t.Run("job lacking the package fails its init", func(t *testing.T) {
		t.Parallel()
		j := job()
		j.NetworkMode, j.Providers = "bridge", []ProviderPackage{}
		out := &output{t: t}
		res, err := d.Run(context.Background(), j, out)
		if err != nil {
			t.Fatalf("run: %v\n%s", err, out)
		}
		if res.ExitCode != 1 || res.Step != 0 {
			t.Errorf("exit code %d at step %d, want 1 at step 0 (init)\n%s", res.ExitCode, res.Step, out)
		}
		if !out.hasWords(notInstallable) || out.has("registry.terraform.io/v1") {
			t.Errorf("output does not say the provider is in no search location:\n%s", out)
		}
		assertNothingLeft(t, cli, j.RunID)
	})

	t.Run("a missing package volume is refused, not created", func(t *testing.T) {
		t.Parallel()
		j := job()
		missing := "cloudoven-" + newRunID(t) + "-no-such-provider"
		j.Providers = []ProviderPackage{{Path: pkg.Path, Volume: missing}}
		_, err := d.Run(context.Background(), j, &output{t: t})
		if err == nil || !strings.Contains(err.Error(), "volume "+missing+" is not on the Docker daemon") {
			t.Errorf("err = %v, want the missing volume named", err)
		}
		if _, ierr := cli.VolumeInspect(context.Background(), missing); ierr == nil {
			t.Errorf("the missing volume %s was created", missing)
			cli.VolumeRemove(context.Background(), missing, true)
		}
		assertNothingLeft(t, cli, j.RunID)
	})
}

func TestLocalProvidersComeOnlyFromPackages(t *testing.T) {
	t.Parallel()
	l := newLocal(t, 10*time.Second)
	pkg := ProviderPackage{Path: testprovPath(runtime.GOARCH), Dir: buildPackage(t, runtime.GOARCH)}
	if runtime.GOOS != "linux" {
		testenv.Unavailable(t, "the test provider is built for linux")
	}
	job := func(pkgs []ProviderPackage) Job {
		return Job{
			RunID:     newRunID(t),
			Files:     map[string][]byte{"main.tf": []byte(testprovConfig)},
			Steps:     [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color"}},
			Env:       map[string]string{"CHECKPOINT_DISABLE": "1"},
			Providers: pkgs,
		}
	}
	mirrors := func() []string {
		t.Helper()
		left, err := filepath.Glob(filepath.Join(os.TempDir(), "cloudoven-providers-*"))
		if err != nil {
			t.Fatal(err)
		}
		return left
	}

	t.Run("installs from its package", func(t *testing.T) {
		j := job([]ProviderPackage{pkg})
		out := &output{t: t}
		res, err := l.Run(context.Background(), j, out)
		if err != nil || res.ExitCode != 0 || res.Step != 1 {
			t.Fatalf("run: %v, exit code %d at step %d\n%s", err, res.ExitCode, res.Step, out)
		}
		for _, want := range []string{"Installed cloudoven/testprov v0.1.0 (unauthenticated)", "Plan: 1 to add, 0 to change, 0 to destroy."} {
			if !out.has(want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		assertNoWorkspace(t, j.RunID)
		for _, m := range mirrors() {
			if strings.Contains(m, j.RunID) {
				t.Errorf("the run left its provider mirror %s", m)
			}
		}
	})

	t.Run("lacking the package fails its init", func(t *testing.T) {
		j := job([]ProviderPackage{})
		out := &output{t: t}
		res, err := l.Run(context.Background(), j, out)
		if err != nil {
			t.Fatalf("run: %v\n%s", err, out)
		}
		if res.ExitCode != 1 || res.Step != 0 || !out.hasWords(notInstallable) {
			t.Errorf("exit code %d at step %d, want 1 at step 0 saying %q:\n%s", res.ExitCode, res.Step, notInstallable, out)
		}
	})

	t.Run("a package directory that is not there is refused", func(t *testing.T) {
		j := job([]ProviderPackage{{Path: pkg.Path, Dir: filepath.Join(t.TempDir(), "gone")}})
		if _, err := l.Run(context.Background(), j, &output{t: t}); err == nil || !strings.Contains(err.Error(), "provider package "+pkg.Path) {
			t.Errorf("err = %v, want the package named", err)
		}
		assertNoWorkspace(t, j.RunID)
	})
}

func TestCLIConfigInstallsFromTheMirrorAlone(t *testing.T) {
	t.Parallel()
	cfg := string(cliConfig("/providers"))
	if !strings.Contains(cfg, "filesystem_mirror {\n    path = \"/providers\"\n  }") {
		t.Errorf("no filesystem_mirror at /providers:\n%s", cfg)
	}
	for _, other := range []string{"direct", "network_mirror", "dev_overrides"} {
		if strings.Contains(cfg, other) {
			t.Errorf("the configuration has a %s block:\n%s", other, cfg)
		}
	}
}
