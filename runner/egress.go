package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/cloudoven/cloudoven/egress"
)

// DefaultEgressImage is the image of a run's egress proxy: cmd/cloudoven-egress on nothing
// else, as `make egress-image` builds it. It is the server's choice (DockerOptions), never an
// environment's, since the proxy is what holds a run's network in.
const DefaultEgressImage = "cloudoven/egress:1"

const (
	// egressPort is where the proxy listens on the run's network.
	egressPort = "3128"
	// egressUser runs the proxy: nobody, owning nothing in its image.
	egressUser = "65534:65534"
	// egressStartTimeout bounds the wait for the proxy to listen.
	egressStartTimeout = 30 * time.Second
	// egressStopTimeout is how long the proxy gets to exit on SIGTERM at the end of a job,
	// so its last lines reach the job's output.
	egressStopTimeout = 2
	egressCPUs        = 0.5
	egressMemoryBytes = 128 << 20
	egressPIDs        = 128
)

// proxyVariables are the variables that point a step at the proxy: set by the executor, so a
// job's Env may not name them in any case.
var proxyVariables = []string{"HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY"}

// check refuses an Egress the proxy would refuse, a network mode it cannot hold in, and an
// Env that would point steps elsewhere.
func (e *Egress) check(networkMode string, env map[string]string) error {
	if networkMode != "bridge" {
		return fmt.Errorf("network mode %q: a job with egress control runs on its own network; leave the network mode empty", networkMode)
	}
	if _, err := egress.ParseRules(e.Allow); err != nil {
		return fmt.Errorf("egress: %w", err)
	}
	if e.State != "" {
		if _, err := egress.ParseState(e.State); err != nil {
			return fmt.Errorf("egress: %w", err)
		}
	}
	for k := range env {
		for _, v := range proxyVariables {
			if strings.EqualFold(k, v) {
				return fmt.Errorf("environment variable %s is set by the executor when egress is controlled", k)
			}
		}
	}
	return nil
}

// allowsRegistry says whether steps may reach the public Terraform registry, which a
// provider installation with a direct source asks about every provider.
func (e *Egress) allowsRegistry() bool {
	rules, err := egress.ParseRules(e.Allow)
	return err == nil && egress.Allowed(rules, "registry.terraform.io", 443)
}

// args is the proxy's command line.
func (e *Egress) args() []string {
	args := []string{"-listen", ":" + egressPort}
	for _, h := range e.Allow {
		args = append(args, "-allow", h)
	}
	if e.State != "" {
		args = append(args, "-state", e.State)
	}
	return args
}

// proxyLog passes the proxy's lines on and notices the one that says it listens.
type proxyLog struct {
	out   io.Writer
	once  sync.Once
	ready chan struct{}
}

func (p *proxyLog) Write(line []byte) (int, error) {
	if bytes.HasPrefix(line, []byte(egress.ReadyLine)) {
		p.once.Do(func() { close(p.ready) })
	}
	return p.out.Write(line)
}

// egressProxy is a job's running proxy.
type egressProxy struct {
	id       string
	url      string        // http://<address on the run network>:3128
	stopLogs func()        // ends the log stream early
	logsDone chan struct{} // closed when the log stream has ended
}

// startEgress creates the job's network (internal, and without an address of the host on it,
// so nothing on it reaches the host either) and starts the proxy on it and on the
// executor's egress network; the steps then join only the former.
func (e *execution) startEgress(ctx context.Context) error {
	cli := e.d.cli
	e.network = "cloudoven-run-" + e.job.RunID
	if _, err := cli.NetworkInspect(ctx, e.network, network.InspectOptions{}); err == nil {
		return fmt.Errorf("network %s already exists: a run id is used once (RemoveOrphans reaps what a crash left)", e.network)
	} else if !cerrdefs.IsNotFound(err) {
		return e.interrupted(ctx, fmt.Errorf("inspecting network %s: %w", e.network, e.d.apiError(err)))
	}
	e.networkCreated = true
	_, err := cli.NetworkCreate(ctx, e.network, network.CreateOptions{
		Driver:   "bridge",
		Internal: true,
		Options: map[string]string{
			// An internal network still gives the host an address on its bridge, and the
			// host answers there on every port it listens on (seen with dockerd 20.10):
			// without an address the host is not on this network at all.
			"com.docker.network.bridge.inhibit_ipv4": "true",
			"com.docker.network.bridge.enable_icc":   "true",
		},
		Labels: map[string]string{LabelRun: e.job.RunID, LabelInstance: e.d.instance},
	})
	if err != nil {
		return e.interrupted(ctx, fmt.Errorf("creating network %s: %w", e.network, e.d.apiError(err)))
	}

	name := e.volume + "-egress"
	e.containers = append(e.containers, name)
	pids := int64(egressPIDs)
	cfg := &container.Config{
		Image:  e.d.egressImage,
		Cmd:    e.job.Egress.args(),
		User:   egressUser,
		Labels: map[string]string{LabelRun: e.job.RunID, LabelInstance: e.d.instance, labelRole: "egress"},
	}
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode(e.d.egressNetwork),
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges"},
		ReadonlyRootfs: true,
		LogConfig:      container.LogConfig{Type: "json-file"},
		Resources: container.Resources{
			NanoCPUs:   int64(min(egressCPUs, e.cpus) * 1e9),
			Memory:     egressMemoryBytes,
			MemorySwap: egressMemoryBytes,
			PidsLimit:  &pids,
		},
	}
	created, err := cli.ContainerCreate(ctx, cfg, hc, nil, nil, name)
	if err != nil {
		return e.interrupted(ctx, fmt.Errorf("creating the egress proxy: %w", e.d.apiError(err)))
	}
	if e.d.created != nil {
		e.d.created(ctx, "egress", created.ID)
	}
	// API 1.41 creates a container on one network; the second is joined before the start.
	if err := cli.NetworkConnect(ctx, e.network, created.ID, nil); err != nil {
		return e.interrupted(ctx, fmt.Errorf("connecting the egress proxy to %s: %w", e.network, e.d.apiError(err)))
	}

	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	p := &egressProxy{id: created.ID, stopLogs: stop, logsDone: make(chan struct{})}
	e.proxy = p
	pl := &proxyLog{out: e.out, ready: make(chan struct{})}
	if err := cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		stop()
		close(p.logsDone)
		return e.interrupted(ctx, fmt.Errorf("starting the egress proxy: %w", e.d.apiError(err)))
	}
	go func() {
		defer close(p.logsDone)
		streamLogs(bg, cli, created.ID, pl)
	}()
	timer := time.NewTimer(egressStartTimeout)
	defer timer.Stop()
	select {
	case <-pl.ready:
	case <-p.logsDone:
		return fmt.Errorf("the egress proxy exited before it listened; the run's log has its output")
	case <-timer.C:
		return fmt.Errorf("the egress proxy did not listen within %s", egressStartTimeout)
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	info, err := cli.ContainerInspect(ctx, created.ID)
	if err != nil {
		return e.interrupted(ctx, fmt.Errorf("inspecting the egress proxy: %w", e.d.apiError(err)))
	}
	var ip string
	if info.NetworkSettings != nil {
		if ep := info.NetworkSettings.Networks[e.network]; ep != nil {
			ip = ep.IPAddress
		}
	}
	if ip == "" {
		return fmt.Errorf("the egress proxy has no address on network %s", e.network)
	}
	p.url = "http://" + ip + ":" + egressPort
	return nil
}

// stopEgress stops the proxy and waits for its last lines, so nothing is written to the
// job's output after Run returns.
func (e *execution) stopEgress(ctx context.Context) {
	p := e.proxy
	if p == nil {
		return
	}
	timeout := egressStopTimeout
	if err := e.d.cli.ContainerStop(ctx, p.id, container.StopOptions{Timeout: &timeout}); err != nil && !cerrdefs.IsNotFound(err) {
		e.d.log.Warn("stopping the egress proxy", "run", e.job.RunID, "err", err)
	}
	timer := time.NewTimer(logsDrainTimeout)
	defer timer.Stop()
	select {
	case <-p.logsDone:
	case <-timer.C:
		p.stopLogs()
		<-p.logsDone
	}
	p.stopLogs()
}

// proxyEnv points a step at the proxy. NO_PROXY is set empty so that an image's own
// setting cannot send anything around it (it would find no route anyway).
func (p *egressProxy) env(env map[string]string) {
	for _, k := range []string{"HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"} {
		env[k] = p.url
	}
	env["NO_PROXY"], env["no_proxy"] = "", ""
}
