package runner

import (
	"context"
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
)

// RemoveOrphans removes every container, network and volume of this instance (LabelRun and
// LabelInstance), running or not, and returns how many it removed. Call it at start-up,
// before any job runs: whatever carries this instance's label was left by a crash.
func (d *Docker) RemoveOrphans(ctx context.Context) (int, error) {
	labelled := filters.NewArgs(filters.Arg("label", LabelRun), filters.Arg("label", LabelInstance+"="+d.instance))
	containers, err := d.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: labelled})
	if err != nil {
		return 0, fmt.Errorf("listing containers: %w", d.apiError(err))
	}
	removed := 0
	var errs []error
	for _, c := range containers {
		err := d.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
		switch {
		case err == nil:
			removed++
			d.log.Info("removed orphaned container", "run", c.Labels[LabelRun], "container", c.ID[:12])
		case !cerrdefs.IsNotFound(err):
			errs = append(errs, fmt.Errorf("removing container %s: %w", c.ID[:12], d.apiError(err)))
		}
	}
	// Networks and volumes after containers: neither can be removed while in use.
	networks, err := d.cli.NetworkList(ctx, network.ListOptions{Filters: labelled})
	if err != nil {
		errs = append(errs, fmt.Errorf("listing networks: %w", d.apiError(err)))
	}
	for _, n := range networks {
		err := d.cli.NetworkRemove(ctx, n.ID)
		switch {
		case err == nil:
			removed++
			d.log.Info("removed orphaned network", "run", n.Labels[LabelRun], "network", n.Name)
		case !cerrdefs.IsNotFound(err):
			errs = append(errs, fmt.Errorf("removing network %s: %w", n.Name, d.apiError(err)))
		}
	}
	volumes, err := d.cli.VolumeList(ctx, volume.ListOptions{Filters: labelled})
	if err != nil {
		return removed, errors.Join(append(errs, fmt.Errorf("listing volumes: %w", d.apiError(err)))...)
	}
	for _, v := range volumes.Volumes {
		err := d.cli.VolumeRemove(ctx, v.Name, true)
		switch {
		case err == nil:
			removed++
			d.log.Info("removed orphaned volume", "run", v.Labels[LabelRun], "volume", v.Name)
		case !cerrdefs.IsNotFound(err):
			errs = append(errs, fmt.Errorf("removing volume %s: %w", v.Name, d.apiError(err)))
		}
	}
	return removed, errors.Join(errs...)
}

// cleanup removes what the job created, whatever state it ended in. Failures are logged,
// not returned: the job's outcome stands, and RemoveOrphans reaps the rest later.
func (e *execution) cleanup(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	e.stopEgress(ctx)
	cli := e.d.cli
	for _, name := range e.containers {
		err := cli.ContainerRemove(ctx, name, container.RemoveOptions{Force: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			e.d.log.Warn("removing container", "run", e.job.RunID, "container", name, "err", err)
		}
	}
	// The network after the containers on it.
	if e.networkCreated {
		err := cli.NetworkRemove(ctx, e.network)
		if err != nil && !cerrdefs.IsNotFound(err) {
			e.d.log.Warn("removing network", "run", e.job.RunID, "network", e.network, "err", err)
		}
	}
	if e.volumeCreated {
		err := cli.VolumeRemove(ctx, e.volume, true)
		if err != nil && !cerrdefs.IsNotFound(err) {
			e.d.log.Warn("removing volume", "run", e.job.RunID, "volume", e.volume, "err", err)
		}
	}
}
