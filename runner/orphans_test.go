package runner

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
)

// leftover is what a run leaves on the daemon when its server dies: its volume, its network
// and a container on both, started when running is set (a step terraform still runs).
type leftover struct {
	volume, network, container string
}

func leaveRun(t *testing.T, cli *client.Client, instance, runID string, running bool) leftover {
	t.Helper()
	ctx := context.Background()
	labels := map[string]string{LabelRun: runID, LabelInstance: instance}
	vol, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: "cloudoven-run-" + runID, Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.VolumeRemove(context.Background(), vol.Name, true) })
	net, err := cli.NetworkCreate(ctx, "cloudoven-run-"+runID, network.CreateOptions{Internal: true, Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.NetworkRemove(context.Background(), net.ID) })
	// terraform console waits on its open stdin: a step that runs until it is stopped.
	cfg := &container.Config{Image: DefaultImage, Cmd: []string{"console"}, OpenStdin: true, Labels: labels}
	hc := &container.HostConfig{NetworkMode: container.NetworkMode(net.ID),
		Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: vol.Name, Target: workdir}}}
	c, err := cli.ContainerCreate(ctx, cfg, hc, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true}) })
	if running {
		if err := cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
			t.Fatal(err)
		}
		info, err := cli.ContainerInspect(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if info.State == nil || !info.State.Running {
			t.Fatalf("the left-over step of run %s is not running: %+v", runID, info.State)
		}
	}
	return leftover{volume: vol.Name, network: net.ID, container: c.ID}
}

// assertLeft checks that the run's container, network and volume are all still there.
func assertLeft(t *testing.T, cli *client.Client, what string, l leftover) {
	t.Helper()
	ctx := context.Background()
	if _, err := cli.ContainerInspect(ctx, l.container); err != nil {
		t.Errorf("%s: container removed: %v", what, err)
	}
	if _, err := cli.NetworkInspect(ctx, l.network, network.InspectOptions{}); err != nil {
		t.Errorf("%s: network removed: %v", what, err)
	}
	if _, err := cli.VolumeInspect(ctx, l.volume); err != nil {
		t.Errorf("%s: volume removed: %v", what, err)
	}
}

// RemoveOrphans removes what its own instance left behind of the runs it does not keep,
// and nothing of the runs it keeps (another live replica's), nor anything another server
// (or another test package) sharing the daemon runs.
func TestRemoveOrphans(t *testing.T) {
	t.Parallel()
	instance := newRunID(t)
	d, cli := newDocker(t, DockerOptions{Instance: instance})
	dead, live := newRunID(t), newRunID(t)
	leaveRun(t, cli, instance, dead, false)
	kept := leaveRun(t, cli, instance, live, true)
	other := leaveRun(t, cli, "someone-else", newRunID(t), false)

	n, err := d.RemoveOrphans(context.Background(), func(runID string) bool { return runID == live })
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("removed %d, want exactly the dead run's container, network and volume", n)
	}
	assertNothingLeft(t, cli, dead)
	assertLeft(t, cli, "the kept run", kept)
	assertLeft(t, cli, "another instance's run", other)
}

// RemoveRun, as another replica of the same instance calls it on a run whose server died,
// stops the run's running step and removes it with its network and volume, and nothing of
// another run; a second call finds nothing and is no error.
func TestRemoveRunStopsWhatTheRunLeft(t *testing.T) {
	t.Parallel()
	instance := newRunID(t)
	d, cli := newDocker(t, DockerOptions{Instance: instance, Grace: time.Second})
	dead := newRunID(t)
	leaveRun(t, cli, instance, dead, true)
	running := leaveRun(t, cli, instance, newRunID(t), true)

	ctx := context.Background()
	if err := d.RemoveRun(ctx, dead); err != nil {
		t.Fatal(err)
	}
	assertNothingLeft(t, cli, dead)
	assertLeft(t, cli, "another run", running)
	if err := d.RemoveRun(ctx, dead); err != nil {
		t.Errorf("removing the run again: %v", err)
	}
}
