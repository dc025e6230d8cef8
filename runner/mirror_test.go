package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"io/fs"
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

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// testprovConfig needs cloudoven/testprov, which only the test mirror has.
const testprovConfig = `terraform {
  required_providers {
    testprov = {
      source  = "cloudoven/testprov"
      version = "0.1.0"
    }
  }
}

resource "testprov_widget" "w" {
  name = "from-the-mirror"
}
`

// buildMirror builds crawler/internal/testprovider for the daemon's linux into a fresh
// filesystem mirror as registry.terraform.io/cloudoven/testprov 0.1.0 and returns its
// directory. CGO is off: the runner image is FROM scratch, with no libc to link against.
func buildMirror(t *testing.T, cli *client.Client) string {
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
	dir := t.TempDir()
	out := filepath.Join(dir, "registry.terraform.io", "cloudoven", "testprov", "0.1.0", "linux_"+arch, "terraform-provider-testprov_v0.1.0")
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", out, "./crawler/internal/testprovider")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	start := time.Now()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test provider: %v\n%s", err, b)
	}
	t.Logf("built the test provider in %s", time.Since(start).Round(time.Millisecond))
	return dir
}

// mirrorVolume copies dir into a new volume, through a container that is created but never
// started, and removes the volume when the test ends.
func mirrorVolume(t *testing.T, cli *client.Client, dir string) string {
	t.Helper()
	ctx := context.Background()
	name := "cloudoven-" + newRunID(t) + "-mirror"
	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: name}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cli.VolumeRemove(context.Background(), name, true); err != nil {
			t.Errorf("removing the mirror volume: %v", err)
		}
	})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := de.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		if de.IsDir() {
			hdr.Name += "/"
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if de.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		t.Fatalf("archiving the mirror: %v", err)
	}
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: DefaultImage, Cmd: []string{"version"}},
		&container.HostConfig{Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: name, Target: mirrorDir}}}, nil, nil, name+"-loader")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
	if err := cli.CopyToContainer(ctx, c.ID, mirrorDir, &buf, container.CopyToContainerOptions{}); err != nil {
		t.Fatalf("copying the mirror into its volume: %v", err)
	}
	return name
}

func TestProvidersComeFromTheMirror(t *testing.T) {
	t.Parallel()
	d0, cli := newDocker(t, DockerOptions{})
	mirror := mirrorVolume(t, cli, buildMirror(t, cli))
	d, _ := newDocker(t, DockerOptions{Mirror: mirror})
	var mu sync.Mutex
	var steps []container.InspectResponse
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
		steps = append(steps, info)
	}
	job := func() Job {
		return Job{
			RunID: newRunID(t),
			Files: map[string][]byte{"main.tf": []byte(testprovConfig)},
			Steps: [][]string{
				{"init", "-input=false", "-no-color"},
				{"plan", "-input=false", "-no-color"},
			},
			NetworkMode: "none",
		}
	}

	t.Run("offline job installs from the mirror", func(t *testing.T) {
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
		if len(steps) != 2 {
			t.Fatalf("%d step containers were created, want 2", len(steps))
		}
		for i, info := range steps {
			var found bool
			for _, m := range info.Mounts {
				if m.Destination != mirrorDir {
					continue
				}
				found = true
				if m.Name != mirror || m.RW {
					t.Errorf("step %d: /mirror is volume %q, writable %v; want %q read-only", i+1, m.Name, m.RW, mirror)
				}
			}
			if !found {
				t.Errorf("step %d does not mount /mirror: %+v", i+1, info.Mounts)
			}
			if !hasAll(info.Config.Env, "TF_CLI_CONFIG_FILE=/workspace/.cloudoven.tfrc") {
				t.Errorf("step %d env lacks TF_CLI_CONFIG_FILE: %v", i+1, info.Config.Env)
			}
			if !info.HostConfig.ReadonlyRootfs {
				t.Errorf("step %d: root filesystem is writable", i+1)
			}
		}
		assertNothingLeft(t, cli, j.RunID)
	})

	// Egress control without the registry is offline too: a direct block would ask the
	// registry, through the proxy, which refuses it, about the mirrored provider as well.
	t.Run("job held to an allow-list without the registry installs from the mirror", func(t *testing.T) {
		testenv.EgressImage(t)
		j := job()
		j.NetworkMode, j.Egress = "", &Egress{Allow: []string{"management.azure.com"}}
		out := &output{t: t}
		res, err := d.Run(context.Background(), j, out)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
		}
		if !out.has("Installed cloudoven/testprov v0.1.0 (unauthenticated)") || out.has("refused") {
			t.Errorf("the provider did not come from the mirror alone:\n%s", out)
		}
		assertNothingLeft(t, cli, j.RunID)
	})

	t.Run("offline job without the mirror cannot install", func(t *testing.T) {
		j := job()
		out := &output{t: t}
		res, err := d0.Run(context.Background(), j, out)
		if err != nil {
			t.Fatalf("run: %v\n%s", err, out)
		}
		if res.ExitCode == 0 {
			t.Fatalf("init succeeded without the mirror and with no network:\n%s", out)
		}
		if !out.has("could not connect to registry.terraform.io") {
			t.Errorf("output does not say the registry was unreachable:\n%s", out)
		}
		assertNothingLeft(t, cli, j.RunID)
	})

	t.Run("job cannot replace the CLI configuration", func(t *testing.T) {
		j := job()
		j.Env = map[string]string{"TF_CLI_CONFIG_FILE": "/tmp/mine.tfrc"}
		_, err := d.Run(context.Background(), j, &output{t: t})
		if err == nil || !strings.Contains(err.Error(), "TF_CLI_CONFIG_FILE") {
			t.Errorf("run with TF_CLI_CONFIG_FILE in Env: err = %v, want a refusal naming it", err)
		}
		assertNothingLeft(t, cli, j.RunID)
	})
}

func TestMissingMirrorVolume(t *testing.T) {
	t.Parallel()
	name := "cloudoven-" + newRunID(t) + "-no-such-mirror"
	d, cli := newDocker(t, DockerOptions{Mirror: name})
	j := Job{RunID: newRunID(t), Files: map[string][]byte{"main.tf": []byte(dataConfig)}, Steps: [][]string{{"version"}}}
	_, err := d.Run(context.Background(), j, &output{t: t})
	if err == nil || !strings.Contains(err.Error(), "provider mirror volume "+name+" is not on the Docker daemon") {
		t.Errorf("err = %v, want the missing mirror volume named", err)
	}
	if _, ierr := cli.VolumeInspect(context.Background(), name); ierr == nil {
		t.Errorf("the missing mirror volume %s was created", name)
		cli.VolumeRemove(context.Background(), name, true)
	}
	assertNothingLeft(t, cli, j.RunID)
}

func TestCLIConfigDirectOnlyWhenOnline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		offline bool
		direct  bool
	}{
		{"offline is mirror only", true, false},
		{"online falls back to direct", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := string(cliConfig(tc.offline))
			if !strings.Contains(cfg, `filesystem_mirror {
    path = "/mirror"
  }`) {
				t.Errorf("no filesystem_mirror at /mirror:\n%s", cfg)
			}
			if got := strings.Contains(cfg, "direct {}"); got != tc.direct {
				t.Errorf("direct block present = %v, want %v:\n%s", got, tc.direct, cfg)
			}
		})
	}
}
