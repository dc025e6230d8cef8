package providers

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
)

// testInstance is a fresh instance name; everything the test creates on the daemon carries
// it and is removed when the test ends.
func testInstance(t *testing.T, cli *client.Client) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	instance := "providers-test-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		ctx := context.Background()
		byInstance := filters.NewArgs(filters.Arg("label", runner.LabelInstance+"="+instance))
		cs, _ := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: byInstance})
		for _, c := range cs {
			cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
		}
		vs, _ := cli.VolumeList(ctx, volume.ListOptions{Filters: byInstance})
		for _, v := range vs.Volumes {
			if err := cli.VolumeRemove(ctx, v.Name, true); err != nil {
				t.Errorf("removing volume %s: %v", v.Name, err)
			}
		}
	})
	return instance
}

func TestVolumesServeTerraformOffline(t *testing.T) {
	cli := testenv.Docker(t)
	testenv.RunnerImage(t)
	reg := newRegistry(t)
	c := openCache(t, t.TempDir(), reg)
	ctx := context.Background()
	source := reg.Source("cloudoven", "testprov")
	pkgs, err := c.Ensure(ctx, []Requirement{{Source: source, Constraint: "0.1.0"}}, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	instance := testInstance(t, cli)
	vols := NewVolumes(cli, runner.DefaultImage, instance, c)
	name := VolumeName(pkgs[0], instance)

	// A crash after the volume's creation, before its fill was recorded, left it empty.
	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: map[string]string{runner.LabelInstance: instance}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, err := vols.Ensure(ctx, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("filled the volume in %s", time.Since(start).Round(time.Millisecond))
	want := runner.ProviderPackage{Path: pkgs[0].Path(), Volume: name, Dir: pkgs[0].Dir}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	info, err := cli.VolumeInspect(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if info.Labels[labelRole] != roleProvider || info.Labels[runner.LabelInstance] != instance || info.Labels[labelProvider] != pkgs[0].Path() {
		t.Errorf("labels %v: the unfinished volume was not replaced by a filled one", info.Labels)
	}
	if again, err := vols.Ensure(ctx, pkgs); err != nil || again[0] != want {
		t.Fatalf("second Ensure: %+v, %v", again, err)
	}
	if info2, _ := cli.VolumeInspect(ctx, name); info2.CreatedAt != info.CreatedAt {
		t.Errorf("a filled volume was filled again (created %s, then %s)", info.CreatedAt, info2.CreatedAt)
	}

	out, lock, files := initFromVolume(t, cli, instance, got[0], `terraform {
  required_providers {
    testprov = {
      source  = "`+source+`"
      version = "0.1.0"
    }
  }
}
`)
	if !strings.Contains(out, "Installed "+source+" v0.1.0 (unauthenticated)") {
		t.Errorf("terraform init did not install from the volume:\n%s", out)
	}
	// The h1: terraform computes of what it installed is the one the cache recorded.
	parsed, err := ParseLock(lock)
	if err != nil {
		t.Fatalf("%v\n%s", err, lock)
	}
	locked, _ := parsed.Provider(source)
	if len(locked.Hashes) != 1 || !slices.Contains(pkgs[0].Hashes, locked.Hashes[0]) {
		t.Errorf("terraform locked %v; the cache has %v", locked.Hashes, pkgs[0].Hashes)
	}
	for _, f := range files {
		if f.Uid != 0 || f.Gid != 0 || f.Mode&0o005 != 0o005 {
			t.Errorf("%s: owner %d:%d, mode %o; want root's, readable and executable by all", f.Name, f.Uid, f.Gid, f.Mode)
		}
	}

	t.Run("a volume in use is not removed", func(t *testing.T) {
		user, err := cli.ContainerCreate(ctx, &container.Config{Image: runner.DefaultImage, Cmd: []string{"version"}, Labels: map[string]string{runner.LabelInstance: instance}},
			&container.HostConfig{NetworkMode: "none", Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: name, Target: "/p", ReadOnly: true}}}, nil, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		err = vols.Remove(ctx, source, "0.1.0", hostPlatform)
		if err == nil || !strings.Contains(err.Error(), "is in use") {
			t.Errorf("got %v, want an error saying the volume is in use", err)
		}
		if list, _ := c.List(ctx); len(list) != 1 {
			t.Errorf("the package went with its volume in use: %+v", list)
		}
		if err := cli.ContainerRemove(ctx, user.ID, container.RemoveOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		if err := vols.Remove(ctx, source, "0.1.0", hostPlatform); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.VolumeInspect(ctx, name); err == nil {
			t.Error("the volume is still there")
		}
		assertNothingHalfInstalled(t, c, 0)
	})
}

// initFromVolume runs `terraform init` offline in the runner image, as uid 1000, with
// the package's volume mounted read-only at /providers/<path> and a CLI configuration
// whose only installation method is the filesystem mirror /providers. It returns the
// output, the lock file terraform wrote, and the headers of the volume's files.
func initFromVolume(t *testing.T, cli *client.Client, instance string, pkg runner.ProviderPackage, main string) (string, []byte, []*tar.Header) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	labels := map[string]string{runner.LabelInstance: instance}
	ws, err := cli.VolumeCreate(ctx, volume.CreateOptions{Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	hc := &container.HostConfig{
		NetworkMode: "none", CapDrop: []string{"ALL"}, SecurityOpt: []string{"no-new-privileges"}, ReadonlyRootfs: true,
		Tmpfs: map[string]string{"/tmp": "rw,noexec,nosuid,nodev,size=64m"},
		Mounts: []mount.Mount{
			{Type: mount.TypeVolume, Source: ws.Name, Target: "/workspace"},
			{Type: mount.TypeVolume, Source: pkg.Volume, Target: "/providers/" + pkg.Path, ReadOnly: true},
		},
	}
	run, err := cli.ContainerCreate(ctx, &container.Config{
		Image: runner.DefaultImage, Cmd: []string{"init", "-input=false", "-no-color"}, User: "1000:1000", Labels: labels,
		Env: []string{"TF_CLI_CONFIG_FILE=/workspace/cli.tfrc"},
	}, hc, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(context.WithoutCancel(ctx), run.ID, container.RemoveOptions{Force: true})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range map[string]string{
		"main.tf":  main,
		"cli.tfrc": "provider_installation {\n  filesystem_mirror {\n    path = \"/providers\"\n  }\n}\n",
	} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Uid: 1000, Gid: 1000})
		tw.Write([]byte(data))
	}
	tw.Close()
	if err := cli.CopyToContainer(ctx, run.ID, "/workspace", &buf, container.CopyToContainerOptions{}); err != nil {
		t.Fatal(err)
	}
	waitC, errC := cli.ContainerWait(ctx, run.ID, container.WaitConditionNextExit)
	if err := cli.ContainerStart(ctx, run.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}
	var code int64
	select {
	case r := <-waitC:
		code = r.StatusCode
	case err := <-errC:
		t.Fatal(err)
	}
	logs, err := cli.ContainerLogs(ctx, run.ID, container.LogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	stdcopy.StdCopy(&out, &out, logs)
	logs.Close()
	if code != 0 {
		t.Fatalf("terraform init exited %d:\n%s", code, out.String())
	}
	lock := readFromContainer(t, ctx, cli, run.ID, "/workspace/"+LockFileName)
	var headers []*tar.Header
	rc, _, err := cli.CopyFromContainer(ctx, run.ID, "/providers/"+pkg.Path+"/.")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		headers = append(headers, h)
	}
	if len(headers) < 2 {
		t.Errorf("the volume holds %d entries", len(headers))
	}
	return out.String(), lock, headers
}

func readFromContainer(t *testing.T, ctx context.Context, cli *client.Client, id, path string) []byte {
	t.Helper()
	rc, _, err := cli.CopyFromContainer(ctx, id, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(io.LimitReader(tr, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
