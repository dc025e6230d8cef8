package runner

import (
	"context"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
)

// RemoveOrphans removes what its own instance left behind, and nothing another server (or
// another test package) sharing the daemon runs.
func TestRemoveOrphans(t *testing.T) {
	instance := newRunID(t)
	d, cli := newDocker(t, DockerOptions{Instance: instance})
	ctx := context.Background()
	runID := newRunID(t)
	labels := map[string]string{LabelRun: runID, LabelInstance: instance}
	vol, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: "cloudoven-run-" + runID, Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.VolumeRemove(context.Background(), vol.Name, true) })
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: DefaultImage, Cmd: []string{"version"}, Labels: labels}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.ContainerRemove(context.Background(), c.ID, container.RemoveOptions{Force: true}) })
	net, err := cli.NetworkCreate(ctx, "cloudoven-run-"+runID, network.CreateOptions{Internal: true, Labels: labels})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.NetworkRemove(context.Background(), net.ID) })
	// Another instance's leftover stays.
	other := map[string]string{LabelRun: newRunID(t), LabelInstance: "someone-else"}
	oc, err := cli.ContainerCreate(ctx, &container.Config{Image: DefaultImage, Cmd: []string{"version"}, Labels: other}, nil, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.ContainerRemove(context.Background(), oc.ID, container.RemoveOptions{Force: true}) })

	n, err := d.RemoveOrphans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("removed %d, want exactly its container, its network and its volume", n)
	}
	assertNothingLeft(t, cli, runID)
	if _, err := cli.ContainerInspect(ctx, oc.ID); err != nil {
		t.Errorf("another instance's container was removed: %v", err)
	}
}
