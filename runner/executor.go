package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// DefaultImage is the image a job runs in when it names none: the one `make runner-image`
// builds offline from the pinned terraform. Its entrypoint is terraform, it carries the
// stage driver (package runner/stage) that runs a job's steps in one container, it runs as
// uid 1000 and its /workspace belongs to that user. The tag's suffix is the version of what
// CloudOven adds to terraform.
const DefaultImage = "cloudoven/terraform:1.5.7-3"

// Defaults for what a Job leaves at its zero value.
const (
	DefaultTimeout     = 30 * time.Minute
	DefaultCPUs        = 2
	DefaultMemoryBytes = 2 << 30
	DefaultPIDs        = 512
)

// ErrDaemonUnavailable is wrapped by every error that comes from not reaching the Docker
// daemon at all, as opposed to the daemon refusing a request.
var ErrDaemonUnavailable = errors.New("docker daemon unavailable")

// ErrImageMissing is wrapped when the job's image is not on the daemon.
var ErrImageMissing = errors.New("runner image missing")

// Job is a sequence of terraform commands run in one workspace.
//
// Step is one terraform command: Args after "terraform", e.g. {"init", "-input=false"}.
type Job struct {
	RunID       string            // labels containers; [a-z0-9-], at most 64
	Files       map[string][]byte // the generated files, written to the workspace before the first step
	Extra       map[string][]byte // more files by relative path, e.g. "tfplan" for an apply of a saved plan
	Steps       [][]string        // run in order in the same workspace; the job stops at the first failing step
	Collect     []string          // workspace files to read back after the steps (e.g. "tfplan"), missing ones are left out
	Env         map[string]string // secrets and backend credentials; never logged; not TF_CLI_CONFIG_FILE when the job has Providers
	Image       string            // default DefaultImage
	NetworkMode string            // "host", "none", "bridge" (default)
	Egress      *Egress           // nil: the network mode's reach; set: only what it allows (then NetworkMode must be bridge)
	Timeout     time.Duration     // wall clock for the whole job (default 30m)
	Limits      Limits            // CPUs, MemoryBytes, PIDs; zero values get safe defaults (2 CPUs, 2 GiB, 512 pids)
	// Providers, when non-nil, are the only provider packages terraform installs from
	// (ProviderPackage); nil leaves provider installation to terraform's defaults.
	Providers []ProviderPackage
	// StdoutFiles sends a step's stdout (by step index) to a workspace file instead of the
	// output, e.g. the JSON document of `terraform validate -json`; its stderr still goes
	// to the output. At most 8 MiB: a step that writes more ends the job with exit code 1
	// and a line saying so. List the file in Collect to read it back.
	StdoutFiles map[int]string
	// Started, when set, is told each step's index and when it started, in order, as the
	// steps start; a step's end is the next one's start, or the job's. With the stage
	// driver the executor learns a step started from the driver's status file, which it
	// looks at every 0.1 to 2 s while the container runs (stagewatch.go): the time is the
	// file's, exact, but a step shorter than that may go unreported (Result.Step still
	// says where the job ended).
	Started func(step int, at time.Time)
}

// Egress limits where a job's steps may connect. The Docker executor runs them on a network
// of their own with no route out, not even to the host, beside an egress proxy (package
// egress) that is their only way out: steps get HTTPS_PROXY and HTTP_PROXY (which terraform
// and Go providers honour) and reach through it exactly the Allow hosts and the State
// address. A provider that ignores the proxy reaches nothing. The local executor cannot
// enforce it: it says so in the job's output and runs anyway.
type Egress struct {
	// Allow lists what steps may reach: host names, *.domain wildcards or IPv4 addresses,
	// each optionally with a port (egress.ParseRule); empty allows nothing but State.
	Allow []string
	// State is the address of the run's deployment in CloudOven's state backend
	// (TF_HTTP_ADDRESS), reachable whatever Allow says; empty for none.
	State string
}

// Limits bounds what the job's container may use (each step's, in an image without the stage
// driver).
type Limits struct {
	CPUs        float64
	MemoryBytes int64
	PIDs        int64
}

// Result is how a job ended: the exit code of its last step (the first non-zero one, if
// any), the index of that step in Job.Steps, when each step started, and the Collect files
// that exist.
type Result struct {
	ExitCode int
	Step     int
	Files    map[string][]byte
	// Started is when each step that started did, by index; nil when not known (a stage
	// driver older than the times).
	Started []time.Time
}

// Executor runs jobs. A step that exits non-zero is a Result, not an error: errors are for
// what kept the job from running (bad job, daemon, image, cancel, timeout).
type Executor interface {
	// Run runs the job's steps; every output line (stdout and stderr, in order as written)
	// goes to out as it is produced. Canceling ctx interrupts terraform (SIGINT), then kills
	// it after the grace period.
	Run(ctx context.Context, job Job, out io.Writer) (Result, error)
}

var (
	runIDPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
	networkPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
)

// withDefaults checks the job and fills in its zero values. Secrets in Env are never part
// of an error.
func (j Job) withDefaults() (Job, error) {
	if !runIDPattern.MatchString(j.RunID) {
		return j, fmt.Errorf("run id %q: want 1 to 64 of a-z, 0-9 and -, starting with a letter or digit", j.RunID)
	}
	if len(j.Steps) == 0 {
		return j, errors.New("job has no steps")
	}
	for i, s := range j.Steps {
		if len(s) == 0 {
			return j, fmt.Errorf("step %d is empty", i+1)
		}
	}
	for _, files := range []map[string][]byte{j.Files, j.Extra} {
		for name := range files {
			if err := checkRelPath(name); err != nil {
				return j, err
			}
			if err := checkOwnFile(name, j.Providers != nil); err != nil {
				return j, err
			}
		}
	}
	for i, name := range j.StdoutFiles {
		if i < 0 || i >= len(j.Steps) {
			return j, fmt.Errorf("stdout file %q is for step index %d, not one of the %d steps", name, i, len(j.Steps))
		}
		if err := checkRelPath(name); err != nil {
			return j, fmt.Errorf("stdout file of step %d: %w", i+1, err)
		}
		if err := checkOwnFile(name, j.Providers != nil); err != nil {
			return j, fmt.Errorf("stdout file of step %d: %w", i+1, err)
		}
	}
	for _, name := range j.Collect {
		if err := checkRelPath(name); err != nil {
			return j, fmt.Errorf("collect: %w", err)
		}
	}
	for k := range j.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return j, fmt.Errorf("environment variable name %q is invalid", k)
		}
	}
	if j.Providers != nil {
		if err := checkProviders(j.Providers, j.Env); err != nil {
			return j, err
		}
	}
	if j.Image == "" {
		j.Image = DefaultImage
	}
	switch {
	case j.NetworkMode == "":
		j.NetworkMode = "bridge"
	case !networkPattern.MatchString(j.NetworkMode):
		// Also refuses container:<id>, which would join another container's network.
		return j, fmt.Errorf("network mode %q: want host, none, bridge or a network name", j.NetworkMode)
	}
	if j.Egress != nil {
		if err := j.Egress.check(j.NetworkMode, j.Env); err != nil {
			return j, err
		}
	}
	if j.Timeout < 0 {
		return j, fmt.Errorf("timeout %s is negative", j.Timeout)
	}
	if j.Timeout == 0 {
		j.Timeout = DefaultTimeout
	}
	if j.Limits.CPUs < 0 || j.Limits.MemoryBytes < 0 || j.Limits.PIDs < 0 {
		return j, errors.New("limits must not be negative")
	}
	if j.Limits.CPUs == 0 {
		j.Limits.CPUs = DefaultCPUs
	}
	if j.Limits.MemoryBytes == 0 {
		j.Limits.MemoryBytes = DefaultMemoryBytes
	}
	if j.Limits.PIDs == 0 {
		j.Limits.PIDs = DefaultPIDs
	}
	return j, nil
}

// checkOwnFile refuses a workspace file the executor writes itself: the stage driver's
// status, and the CLI configuration of a job with Providers.
func checkOwnFile(name string, providers bool) error {
	if err := stage.CheckFileName(name); err != nil {
		return err
	}
	if providers && name == cliConfigName {
		return fmt.Errorf("file name %q is the executor's own when the job has providers", name)
	}
	return nil
}

// checkRelPath accepts a clean relative path inside the workspace.
func checkRelPath(name string) error {
	if name == "" || path.IsAbs(name) || path.Clean(name) != name || name == "." || name == ".." ||
		strings.HasPrefix(name, "../") || strings.ContainsAny(name, "\\\x00") {
		return fmt.Errorf("file name %q: want a clean relative path inside the workspace", name)
	}
	return nil
}
