package runner

import (
	"context"
	"errors"
	"fmt"
	"math"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
)

// RemoveOrphans removes the containers, networks and volumes of this instance (LabelRun and
// LabelInstance), running or not, of every run for which keep returns false, and returns
// how many it removed; a nil keep keeps none. The run is read from LabelRun. Call it at
// start-up, before this server runs any job: with one server on the database nothing of
// its instance is still wanted (keep none); with several replicas on one database, keep
// says which runs live replicas execute, so only what dead ones left goes.
//
// Containers are removed by force, not stopped with the grace period: at start-up there is
// no one to wait for. A run found dead while the server runs is RemoveRun's.
func (d *Docker) RemoveOrphans(ctx context.Context, keep func(runID string) bool) (int, error) {
	if keep == nil {
		keep = func(string) bool { return false }
	}
	labelled := filters.NewArgs(filters.Arg("label", LabelRun), filters.Arg("label", LabelInstance+"="+d.instance))
	return d.remove(ctx, labelled, keep, false)
}

// RemoveRun removes whatever is left of one run of this instance: its containers, its
// network and its volume. A running step gets SIGINT and the grace period to stop, as on a
// cancel, so that terraform releases its state lock; the rest is removed by force. It is
// for a server that finds another replica's run dead (its lease expired) and must stop
// what may still run; nothing left is not an error.
func (d *Docker) RemoveRun(ctx context.Context, runID string) error {
	if runID == "" {
		return errors.New("removing a run: no run id")
	}
	labelled := filters.NewArgs(filters.Arg("label", LabelRun+"="+runID), filters.Arg("label", LabelInstance+"="+d.instance))
	if _, err := d.remove(ctx, labelled, func(string) bool { return false }, true); err != nil {
		return fmt.Errorf("removing run %s: %w", runID, err)
	}
	return nil
}

// remove removes what labelled finds, but what belongs to the runs keep keeps, containers
// first: a network or a volume cannot be removed while in use. With stop, running steps
// get the grace period before they are removed.
func (d *Docker) remove(ctx context.Context, labelled filters.Args, keep func(string) bool, stop bool) (int, error) {
	containers, err := d.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: labelled})
	if err != nil {
		return 0, fmt.Errorf("listing containers: %w", d.apiError(err))
	}
	removed := 0
	var errs []error
	if stop {
		// The steps before the egress proxy: terraform may need it to release its lock.
		grace := int(math.Ceil(d.grace.Seconds()))
		for _, c := range containers {
			if c.State != "running" || c.Labels[labelRole] == "egress" || keep(c.Labels[LabelRun]) {
				continue
			}
			err := d.cli.ContainerStop(ctx, c.ID, container.StopOptions{Signal: "SIGINT", Timeout: &grace})
			if err != nil && !cerrdefs.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("stopping container %s: %w", c.ID[:12], d.apiError(err)))
			}
		}
	}
	for _, c := range containers {
		run := c.Labels[LabelRun]
		if keep(run) {
			continue
		}
		err := d.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true})
		switch {
		case err == nil:
			removed++
			d.log.Info("removed orphaned container", "run", run, "container", c.ID[:12])
		case !cerrdefs.IsNotFound(err):
			errs = append(errs, fmt.Errorf("removing container %s: %w", c.ID[:12], d.apiError(err)))
		}
	}
	networks, err := d.cli.NetworkList(ctx, network.ListOptions{Filters: labelled})
	if err != nil {
		errs = append(errs, fmt.Errorf("listing networks: %w", d.apiError(err)))
	}
	for _, n := range networks {
		run := n.Labels[LabelRun]
		if keep(run) {
			continue
		}
		err := d.cli.NetworkRemove(ctx, n.ID)
		switch {
		case err == nil:
			removed++
			d.log.Info("removed orphaned network", "run", run, "network", n.Name)
		case !cerrdefs.IsNotFound(err):
			errs = append(errs, fmt.Errorf("removing network %s: %w", n.Name, d.apiError(err)))
		}
	}
	volumes, err := d.cli.VolumeList(ctx, volume.ListOptions{Filters: labelled})
	if err != nil {
		return removed, errors.Join(append(errs, fmt.Errorf("listing volumes: %w", d.apiError(err)))...)
	}
	for _, v := range volumes.Volumes {
		run := v.Labels[LabelRun]
		if keep(run) {
			continue
		}
		err := d.cli.VolumeRemove(ctx, v.Name, true)
		switch {
		case err == nil:
			removed++
			d.log.Info("removed orphaned volume", "run", run, "volume", v.Name)
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
