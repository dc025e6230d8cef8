package runner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// LabelRun is the label every container, network and volume of a job carries, valued with
// the run id: how RemoveOrphans finds what a crash left behind and whose run it is, and
// RemoveRun what is left of one run. On Kubernetes the label may hold a hash of the run id
// (label values are at most 63 characters), and an annotation of the same name holds it
// whole.
const LabelRun = "cloudoven.run"

// LabelInstance names the CloudOven server a container or volume belongs to, so that
// RemoveOrphans never touches what another server (or a test) sharing the daemon runs.
const LabelInstance = "cloudoven.instance"

const (
	labelRole = "cloudoven.role"
	// workdir is where the job's volume is mounted in every container.
	workdir = "/workspace"
	// user runs terraform: not root, and the owner of the image's /workspace, which a new
	// volume copies.
	user = "1000:1000"
	// pingTimeout bounds the check that the daemon answers, so a dead remote host fails
	// fast instead of at the job's timeout.
	pingTimeout = 10 * time.Second
	// cleanupTimeout bounds removing a job's containers and volume, which runs after the
	// job's context may already be done.
	cleanupTimeout = 2 * time.Minute
	// logsDrainTimeout is how long the followed log stream may lag behind a container's
	// exit before the rest is read from the daemon's log instead.
	logsDrainTimeout = 10 * time.Second
	// maxCollect bounds one collected file held in memory.
	maxCollect = 512 << 20
	// maxStatus bounds the stage driver's status file read back.
	maxStatus = 4 << 10
)

// DockerOptions configures NewDocker.
type DockerOptions struct {
	// Grace is how long terraform gets to stop after SIGINT before it is killed; default 10s.
	Grace time.Duration
	// Logger gets one line per job; default discards.
	Logger *slog.Logger
	// Instance names this server among others sharing the daemon (serve derives it from its
	// database path); it labels everything the executor creates and scopes RemoveOrphans.
	// Empty means "default".
	Instance string
	// EgressImage is the image of the egress proxy of jobs with Job.Egress; default
	// DefaultEgressImage.
	EgressImage string
	// EgressNetwork is the network the egress proxy reaches out on, and so where it finds
	// the allowed hosts and the state backend; default "bridge", Docker's default network.
	EgressNetwork string
}

// Docker is the Executor on a Docker Engine, local or remote (DOCKER_HOST, DOCKER_TLS_VERIFY
// and DOCKER_CERT_PATH as the docker CLI reads them). Files travel to and from the daemon
// through the API, never through bind mounts, so a remote daemon works like a local one.
//
// Per job it creates a volume cloudoven-run-<RunID> and one container from the image with
// the volume at /workspace, whose entrypoint is the image's stage driver (package
// runner/stage): it copies the files in before starting it, the driver runs the steps in
// order, and the Collect files are read back from the exited container. An image without
// the driver (no stage.ImageLabel, e.g. hashicorp/terraform) gets one container per step
// and a "loader" container, created but never started, that the files go in and out
// through. The containers and the volume are removed, also after an error or a cancel.
//
// A job with Providers mounts each package's volume read-only at /providers/<Path>, and
// terraform reads a CLI configuration (/workspace/.cloudoven.tfrc, named by
// TF_CLI_CONFIG_FILE) whose only installation method is the filesystem mirror at
// /providers. Read-only: one job must not be able to plant a provider that the next one
// runs.
type Docker struct {
	cli      *client.Client
	grace    time.Duration
	drain    time.Duration // logsDrainTimeout; tests shorten it
	log      *slog.Logger
	instance string

	egressImage   string
	egressNetwork string

	mu   sync.Mutex
	ncpu int // the daemon's CPUs, once known; a CPU limit above it is refused by the daemon

	// created, when set (tests), is called with every container right after it is created.
	created func(ctx context.Context, role, id string)
}

var _ Executor = (*Docker)(nil)

// NewDocker returns an Executor for the Docker daemon the environment names. It does not
// contact the daemon: call Ping for that.
func NewDocker(opts DockerOptions) (*Docker, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("configuring the docker client: %w", err)
	}
	if opts.Grace <= 0 {
		opts.Grace = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Instance == "" {
		opts.Instance = "default"
	}
	if opts.EgressImage == "" {
		opts.EgressImage = DefaultEgressImage
	}
	if opts.EgressNetwork == "" {
		opts.EgressNetwork = "bridge"
	}
	return &Docker{cli: cli, grace: opts.Grace, drain: logsDrainTimeout, log: opts.Logger, instance: opts.Instance,
		egressImage: opts.EgressImage, egressNetwork: opts.EgressNetwork}, nil
}

// Close releases the client's connections.
func (d *Docker) Close() error { return d.cli.Close() }

// Host is the daemon's address, e.g. unix:///var/run/docker.sock.
func (d *Docker) Host() string { return d.cli.DaemonHost() }

// Ping checks that the daemon answers.
func (d *Docker) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := d.cli.Ping(ctx); err != nil {
		return &unavailableError{host: d.Host(), err: err}
	}
	return nil
}

// unavailableError says the daemon could not be reached; it is ErrDaemonUnavailable.
type unavailableError struct {
	host string
	err  error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("cannot reach the Docker daemon at %s: %v", e.host, e.err)
}

func (e *unavailableError) Unwrap() []error { return []error{ErrDaemonUnavailable, e.err} }

// apiError marks err as ErrDaemonUnavailable when the connection failed.
func (d *Docker) apiError(err error) error {
	if client.IsErrConnectionFailed(err) {
		return &unavailableError{host: d.Host(), err: err}
	}
	return err
}

// Run runs the job; see Executor. A step that exits non-zero ends the job with its exit
// code in Result and a nil error.
func (d *Docker) Run(ctx context.Context, job Job, out io.Writer) (Result, error) {
	job, err := job.withDefaults()
	if err != nil {
		return Result{}, fmt.Errorf("checking the job: %w", err)
	}
	if out == nil {
		out = io.Discard
	}
	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(ctx, job.Timeout,
		fmt.Errorf("timed out after %s: %w", job.Timeout, context.DeadlineExceeded))
	defer cancel()

	if err := d.Ping(ctx); err != nil {
		if ctx.Err() != nil {
			return Result{}, context.Cause(ctx)
		}
		return Result{}, err
	}
	labels, err := d.checkImage(ctx, job.Image)
	if err != nil {
		return Result{}, err
	}
	var spec string
	if labels[stage.ImageLabel] == stage.ProtocolVersion {
		if spec, err = (stage.Spec{Steps: job.Steps, StdoutFiles: job.StdoutFiles}).Encode(); err != nil {
			return Result{}, fmt.Errorf("checking the job: %w", err)
		}
	}
	if job.Egress != nil {
		if _, err := d.checkImage(ctx, d.egressImage); err != nil {
			return Result{}, err
		}
		// The steps' lines and the proxy's arrive at once.
		out = &syncWriter{w: out}
	}
	if job.Providers != nil {
		if job, err = d.withProviders(ctx, job); err != nil {
			return Result{}, err
		}
	}
	cpus := job.Limits.CPUs
	if n := d.daemonCPUs(ctx); n > 0 && cpus > float64(n) {
		cpus = float64(n)
	}
	e := &execution{d: d, job: job, cpus: cpus, volume: "cloudoven-run-" + job.RunID, out: out, spec: spec}
	defer e.cleanup(ctx)
	res, err := e.run(ctx)
	if err != nil {
		return res, fmt.Errorf("run %s: %w", job.RunID, err)
	}
	d.log.Info("run finished", "run", job.RunID, "steps", e.steps, "exit_code", res.ExitCode,
		"duration", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// checkImage checks that the image is on the daemon and returns its labels.
func (d *Docker) checkImage(ctx context.Context, image string) (map[string]string, error) {
	info, err := d.cli.ImageInspect(ctx, image)
	switch {
	case cerrdefs.IsNotFound(err):
		return nil, fmt.Errorf("image %s is not on the Docker daemon at %s: build it with `make runner-image` or pull it: %w",
			image, d.Host(), ErrImageMissing)
	case err != nil:
		return nil, fmt.Errorf("inspecting image %s: %w", image, d.apiError(err))
	}
	if info.Config == nil {
		return nil, nil
	}
	return info.Config.Labels, nil
}

// withProviders checks that the job's provider package volumes exist, and adds the CLI
// configuration that installs from them alone to the job's files.
func (d *Docker) withProviders(ctx context.Context, job Job) (Job, error) {
	for _, p := range job.Providers {
		if p.Volume == "" || !networkPattern.MatchString(p.Volume) {
			return job, fmt.Errorf("checking the job: provider package %s: volume name %q is invalid", p.Path, p.Volume)
		}
		// A mount of a missing volume would create it, empty and unlabelled, and the init
		// would fail far from the cause.
		_, err := d.cli.VolumeInspect(ctx, p.Volume)
		switch {
		case cerrdefs.IsNotFound(err):
			return job, fmt.Errorf("provider package %s: volume %s is not on the Docker daemon at %s", p.Path, p.Volume, d.Host())
		case err != nil:
			return job, fmt.Errorf("inspecting the volume of provider package %s: %w", p.Path, d.apiError(err))
		}
	}
	// Extra is the caller's map: copy before adding to it.
	extra := make(map[string][]byte, len(job.Extra)+1)
	for name, data := range job.Extra {
		extra[name] = data
	}
	extra[cliConfigName] = cliConfig(providersDir)
	job.Extra = extra
	return job, nil
}

// daemonCPUs is the daemon's CPU count, or 0 when unknown.
func (d *Docker) daemonCPUs(ctx context.Context) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ncpu == 0 {
		if info, err := d.cli.Info(ctx); err == nil {
			d.ncpu = info.NCPU
		}
	}
	return d.ncpu
}

// execution is one job on the daemon: what it created, so cleanup removes exactly that.
type execution struct {
	d      *Docker
	job    Job
	cpus   float64
	volume string
	out    io.Writer
	spec   string // the stage driver's argument; empty when the image has no driver

	volumeCreated bool
	containers    []string // names, recorded before each create, so a create whose answer was lost is removed too
	loader        string
	steps         int // steps started

	network        string // the job's own network, with Job.Egress
	networkCreated bool
	proxy          *egressProxy
}

func (e *execution) run(ctx context.Context) (Result, error) {
	cli := e.d.cli
	// A volume of this name is another run's workspace (or a crash's leftover): never reuse
	// or remove it.
	if _, err := cli.VolumeInspect(ctx, e.volume); err == nil {
		return Result{}, fmt.Errorf("workspace volume %s already exists: a run id is used once (RemoveOrphans reaps what a crash left)", e.volume)
	} else if !cerrdefs.IsNotFound(err) {
		return Result{}, e.interrupted(ctx, fmt.Errorf("inspecting volume %s: %w", e.volume, e.d.apiError(err)))
	}
	e.volumeCreated = true
	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: e.volume, Labels: map[string]string{LabelRun: e.job.RunID, LabelInstance: e.d.instance}}); err != nil {
		return Result{}, e.interrupted(ctx, fmt.Errorf("creating volume %s: %w", e.volume, e.d.apiError(err)))
	}

	if e.job.Egress != nil {
		if err := e.startEgress(ctx); err != nil {
			return Result{}, err
		}
	}

	archive, err := workspaceArchive(e.job.Files, e.job.Extra)
	if err != nil {
		return Result{}, err
	}
	// The files go in, and the Collect files come out, through a container that mounts the
	// volume: the job's own when its steps run in one, created but not yet started (the
	// copy API writes into a volume of a container with a read-only root filesystem), or
	// else a loader that is never started. Creating the first container on the volume also
	// fills it from the image's /workspace, owner included.
	if e.spec != "" {
		e.loader, err = e.create(ctx, "step", []string{stage.Path}, []string{e.spec}, e.volume+"-stage")
	} else {
		e.loader, err = e.create(ctx, "loader", nil, []string{"version"}, e.volume+"-loader")
	}
	if err != nil {
		return Result{}, err
	}
	if err := cli.CopyToContainer(ctx, e.loader, workdir, archive, container.CopyToContainerOptions{}); err != nil {
		return Result{}, e.interrupted(ctx, fmt.Errorf("copying files into the workspace: %w", e.d.apiError(err)))
	}

	var res Result
	if e.spec != "" {
		res, err = e.runStage(ctx, e.loader)
	} else {
		res, err = e.runSteps(ctx)
	}
	if err != nil {
		return res, err
	}
	res.Files, err = e.collect(ctx)
	return res, err
}

// runStage runs the created container id whose entrypoint is the image's stage driver,
// which runs every step, and reads back from the driver's status which step ended the job.
func (e *execution) runStage(ctx context.Context, id string) (Result, error) {
	names := make([]string, len(e.job.Steps))
	for i, s := range e.job.Steps {
		names[i] = s[0]
	}
	what := fmt.Sprintf("the steps (terraform %s)", strings.Join(names, ", "))
	if e.job.Started != nil {
		e.job.Started(0, time.Now())
		stop := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			e.watchSteps(ctx, id, stop)
		}()
		defer func() { close(stop); <-watched }()
	}
	code, err := e.container(ctx, id, what, nil)
	res := Result{ExitCode: code}
	if err != nil {
		return res, err
	}
	if code == 0 && e.job.Started == nil {
		// The driver exits 0 only when every step ran and passed: no need to ask which,
		// nor, with nobody asking, when each started.
		res.Step = len(e.job.Steps) - 1
		e.steps = len(e.job.Steps)
		return res, nil
	}
	data, err := e.readFile(ctx, stage.StatusFile, maxStatus)
	if err == nil {
		var st stage.Status
		if st, err = stage.ParseStatus(data, len(e.job.Steps)); err == nil {
			res.Step = st.Step
			res.Started = st.Started
		}
	}
	if code == 0 {
		res.Step = len(e.job.Steps) - 1
	}
	if err != nil {
		// The exit code and the output still say how the job ended; only which step is
		// unknown, which a driver that could not start its first step leaves at 0.
		e.d.log.Warn("reading the stage status", "run", e.job.RunID, "exit_code", code, "err", err)
	}
	e.steps = res.Step + 1
	return res, nil
}

// runSteps runs each step in a container of its own, for an image without the stage
// driver.
func (e *execution) runSteps(ctx context.Context) (Result, error) {
	var res Result
	for i, args := range e.job.Steps {
		res.Step = i
		now := time.Now()
		res.Started = append(res.Started, now)
		if e.job.Started != nil {
			e.job.Started(i, now)
		}
		name, file := fmt.Sprintf("%s-step-%d", e.volume, i+1), e.job.StdoutFiles[i]
		what := fmt.Sprintf("step %d (terraform %s)", i+1, args[0])
		var capture *capture
		if file != "" {
			capture = newCapture()
		}
		id, err := e.create(ctx, "step", nil, args, name)
		if err != nil {
			return res, err
		}
		code, err := e.container(ctx, id, what, capture)
		res.ExitCode = code
		if err != nil {
			return res, err
		}
		e.steps++
		if capture != nil {
			if err := e.writeFile(ctx, file, capture.buf.Bytes()); err != nil {
				return res, err
			}
			if capture.over {
				fmt.Fprintln(e.out, stdoutFileTooLong(i, file))
				if res.ExitCode == 0 {
					res.ExitCode = 1
				}
			}
		}
		if res.ExitCode != 0 {
			break
		}
	}
	return res, nil
}

// interrupted returns why ctx ended (a cancel or the job's timeout) in place of err, whose
// cause it most likely is.
func (e *execution) interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}
