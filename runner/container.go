package runner

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
)

// A job's containers on the daemon: how each is configured (the hardening every one gets)
// and how one that runs terraform is run to its end, interrupted and waited on.

// create creates one hardened container of the job; a nil entrypoint is the image's.
func (e *execution) create(ctx context.Context, role string, entrypoint, cmd []string, name string) (string, error) {
	e.containers = append(e.containers, name)
	cfg, hc := e.containerConfig(role, entrypoint, cmd)
	created, err := e.d.cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		return "", e.interrupted(ctx, fmt.Errorf("creating container %s: %w", name, e.d.apiError(err)))
	}
	if e.d.created != nil {
		e.d.created(ctx, role, created.ID)
	}
	return created.ID, nil
}

func (e *execution) containerConfig(role string, entrypoint, cmd []string) (*container.Config, *container.HostConfig) {
	env := map[string]string{
		"TF_IN_AUTOMATION":   "1",
		"TF_INPUT":           "0",
		"HOME":               "/tmp",
		"CHECKPOINT_DISABLE": "1",
	}
	for k, v := range e.job.Env {
		env[k] = v
	}
	networkMode := e.job.NetworkMode
	if e.proxy != nil && role == "step" {
		// Set after Env, which withDefaults has checked does not name them.
		e.proxy.env(env)
		networkMode = e.network
	}
	if role == "loader" {
		networkMode = "none" // never started
	}
	mounts := []mount.Mount{{Type: mount.TypeVolume, Source: e.volume, Target: workdir}}
	tmpfs := map[string]string{"/tmp": "rw,noexec,nosuid,nodev,size=256m"}
	if e.job.Providers != nil && role == "step" {
		// Set after Env, which withDefaults has checked does not name it.
		env["TF_CLI_CONFIG_FILE"] = workdir + "/" + cliConfigName
		for _, p := range e.job.Providers {
			mounts = append(mounts, mount.Mount{Type: mount.TypeVolume, Source: p.Volume,
				Target: providersDir + "/" + p.Path, ReadOnly: true})
		}
		if len(e.job.Providers) == 0 {
			// An empty mirror must exist: terraform says a missing one is missing rather
			// than that it lacks the provider.
			tmpfs[providersDir] = "ro,noexec,nosuid,nodev,size=4k"
		}
	}
	envList := make([]string, 0, len(env))
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	sort.Strings(envList)
	pids := e.job.Limits.PIDs
	cfg := &container.Config{
		Image:      e.job.Image,
		Entrypoint: entrypoint,
		Cmd:        cmd,
		Env:        envList,
		User:       user,
		WorkingDir: workdir,
		Labels:     map[string]string{LabelRun: e.job.RunID, LabelInstance: e.d.instance, labelRole: role},
	}
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode(networkMode),
		Privileged:     false,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		ReadonlyRootfs: true,
		Tmpfs:          tmpfs,
		Mounts:         mounts,
		// json-file whatever the daemon's default, so ContainerLogs can always read it.
		LogConfig: container.LogConfig{Type: "json-file"},
		Resources: container.Resources{
			NanoCPUs:   int64(e.cpus * 1e9),
			Memory:     e.job.Limits.MemoryBytes,
			MemorySwap: e.job.Limits.MemoryBytes, // no swap on top
			PidsLimit:  &pids,
		},
	}
	return cfg, hc
}

// container runs a created container of terraform's (the stage driver, or one step) to
// its end and returns its exit code; what names it in errors. Its output goes to the job's
// output, its stdout to capture instead when that is set. When ctx ends first, the
// container gets SIGINT (the driver passes it on to terraform), then SIGKILL after the
// grace period, and the error is why ctx ended.
func (e *execution) container(ctx context.Context, id, what string, capture *capture) (int, error) {
	cli := e.d.cli
	// The wait and the log stream outlive a cancel of ctx: terraform's last words after
	// SIGINT still reach out.
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	// next-exit, registered before the start, cannot miss an exit however quick.
	waitC, waitErrC := cli.ContainerWait(bg, id, container.WaitConditionNextExit)
	if ctx.Err() != nil {
		return -1, fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
	// Started with bg, not ctx: the daemon may start terraform before its answer arrives,
	// and a cancel in between must still interrupt terraform (below) rather than leave it
	// to the forced removal, which would kill it holding its state lock.
	if err := cli.ContainerStart(bg, id, container.StartOptions{}); err != nil {
		return -1, e.interrupted(ctx, fmt.Errorf("starting %s: %w", what, e.d.apiError(err)))
	}
	type logsResult struct {
		passed linesPassed
		err    error
	}
	logsDone := make(chan logsResult, 1)
	go func() {
		passed, err := readLogs(bg, cli, id, e.out, true, linesPassed{}, capture)
		logsDone <- logsResult{passed, err}
	}()

	var code int
	var err error
	select {
	case r := <-waitC:
		code, err = waitResult(r)
	case err = <-waitErrC:
		err = e.d.apiError(err)
	case <-ctx.Done():
		code, err = e.interrupt(bg, id, waitC, waitErrC)
	}

	// Finish reading the output before looking at how the step ended.
	timer := time.NewTimer(e.d.drain)
	defer timer.Stop()
	select {
	case l := <-logsDone:
		if l.err != nil && err == nil && ctx.Err() == nil {
			err = fmt.Errorf("reading output: %w", e.d.apiError(l.err))
		}
	case <-timer.C:
		// The followed stream lags (a busy daemon): the container has exited, so its
		// whole output is in the daemon's log; read it once more, without following,
		// and pass on only what the follower had not.
		stop()
		l := <-logsDone
		rest, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		// A captured stdout is read again whole.
		capture.reset()
		if _, lerr := readLogs(rest, cli, id, e.out, false, l.passed, capture); lerr != nil && err == nil && ctx.Err() == nil {
			err = fmt.Errorf("reading output: %w", e.d.apiError(lerr))
		}
	}

	if ctx.Err() != nil {
		return code, fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
	if err != nil {
		return code, fmt.Errorf("waiting for %s: %w", what, err)
	}
	if code == 137 {
		if info, ierr := cli.ContainerInspect(ctx, id); ierr == nil && info.State != nil && info.State.OOMKilled {
			fmt.Fprintf(e.out, "cloudoven: terraform was killed: out of memory (limit %d MiB)\n", e.job.Limits.MemoryBytes>>20)
		}
	}
	return code, nil
}

// interrupt stops a running step: SIGINT, which terraform answers by stopping cleanly
// (releasing state locks), then SIGKILL when the grace period is over.
func (e *execution) interrupt(ctx context.Context, id string, waitC <-chan container.WaitResponse, waitErrC <-chan error) (int, error) {
	cli := e.d.cli
	ctx, cancel := context.WithTimeout(ctx, e.d.grace+cleanupTimeout)
	defer cancel()
	// Errors are not interesting here: the container may have exited meanwhile, and the
	// wait below says how it ended.
	_ = cli.ContainerKill(ctx, id, "SIGINT")
	grace := time.NewTimer(e.d.grace)
	defer grace.Stop()
	select {
	case r := <-waitC:
		return waitResult(r)
	case err := <-waitErrC:
		return -1, err
	case <-grace.C:
	}
	_ = cli.ContainerKill(ctx, id, "SIGKILL")
	select {
	case r := <-waitC:
		return waitResult(r)
	case err := <-waitErrC:
		return -1, err
	case <-ctx.Done():
		return -1, ctx.Err()
	}
}

func waitResult(r container.WaitResponse) (int, error) {
	if r.Error != nil && r.Error.Message != "" {
		return int(r.StatusCode), errors.New(r.Error.Message)
	}
	return int(r.StatusCode), nil
}
