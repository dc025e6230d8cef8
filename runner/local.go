package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// LocalEgressWarning is the line a job with Egress gets from the local executor, which
// cannot enforce it.
const LocalEgressWarning = "CloudOven: the local runner does not enforce the environment's egress: this run reaches whatever the server reaches (NOT isolated, development only)"

// LocalOptions configures NewLocal.
type LocalOptions struct {
	// Terraform is the terraform binary: a path, or a name looked up on PATH when a job
	// runs. Default "terraform".
	Terraform string
	// Grace is how long terraform gets to stop after SIGINT before it is killed; default 10s.
	Grace time.Duration
	// Logger gets one line per job; default discards.
	Logger *slog.Logger
}

// Local is the Executor for development: it runs the terraform binary on the server's own
// host, as the server's user. It is NOT isolated: terraform and every provider it downloads
// can read and write whatever the server can, and reach any network the host can. Image,
// NetworkMode and Limits of a job are ignored, and so is Egress: a job that asks for egress
// control runs anyway, with a line in its output saying it is not enforced. Use Docker for
// anything but development.
//
// Per job it creates a fresh workspace (0700) under the temp directory, writes Files and
// Extra into it, runs each step there, reads the Collect files back and removes the
// workspace, also after an error or a cancel. A job with Providers gets, in a temporary
// directory of its own outside the workspace, a filesystem mirror of symbolic links to the
// packages' directories and a CLI configuration that installs from it alone.
//
// Steps are arbitrary terraform argument lists, so each runs through os/exec, not
// terraform-exec: terraform-exec has a typed method per subcommand (no way to run a given
// argument list), and starts its commands' environment from the server's whole
// environment, which would hand terraform the server's secrets. exec.CommandContext with a
// Cancel that sends SIGINT and a WaitDelay of the grace period is exactly the interrupt
// protocol Executor asks for.
type Local struct {
	terraform string
	grace     time.Duration
	log       *slog.Logger
}

var _ Executor = (*Local)(nil)

// NewLocal returns an Executor that runs terraform on this host. It does not look for the
// binary: a job that cannot find it fails with the reason.
func NewLocal(opts LocalOptions) *Local {
	if opts.Terraform == "" {
		opts.Terraform = "terraform"
	}
	// A relative path is the server's, not the workspace's, where steps run.
	if strings.ContainsRune(opts.Terraform, filepath.Separator) {
		if abs, err := filepath.Abs(opts.Terraform); err == nil {
			opts.Terraform = abs
		}
	}
	if opts.Grace <= 0 {
		opts.Grace = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Local{terraform: opts.Terraform, grace: opts.Grace, log: opts.Logger}
}

// Run runs the job; see Executor. A step that exits non-zero ends the job with its exit
// code in Result and a nil error.
func (l *Local) Run(ctx context.Context, job Job, out io.Writer) (Result, error) {
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
	if job.Egress != nil {
		io.WriteString(out, LocalEgressWarning+"\n")
	}

	bin, err := exec.LookPath(l.terraform)
	if err != nil {
		return Result{}, fmt.Errorf("finding the terraform binary %s: %w", l.terraform, err)
	}
	dir, err := os.MkdirTemp("", "cloudoven-run-"+job.RunID+"-")
	if err != nil {
		return Result{}, fmt.Errorf("creating the workspace: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			l.log.Warn("removing workspace", "run", job.RunID, "dir", dir, "err", err)
		}
	}()
	root, err := os.OpenRoot(dir)
	if err != nil {
		return Result{}, fmt.Errorf("opening the workspace: %w", err)
	}
	defer root.Close()

	cliConfig := ""
	if job.Providers != nil {
		config, remove, err := localMirror(job.RunID, job.Providers)
		if err != nil {
			return Result{}, fmt.Errorf("run %s: %w", job.RunID, err)
		}
		defer func() {
			if err := remove(); err != nil {
				l.log.Warn("removing the provider mirror", "run", job.RunID, "err", err)
			}
		}()
		cliConfig = config
	}

	res, steps, err := l.run(ctx, job, bin, root, cliConfig, out)
	if err != nil {
		return res, fmt.Errorf("run %s: %w", job.RunID, err)
	}
	l.log.Info("run finished", "run", job.RunID, "steps", steps, "exit_code", res.ExitCode,
		"duration", time.Since(start).Round(time.Millisecond))
	return res, nil
}

func (l *Local) run(ctx context.Context, job Job, bin string, root *os.Root, cliConfig string, out io.Writer) (Result, int, error) {
	if err := writeWorkspace(root, job.Files, job.Extra); err != nil {
		return Result{}, 0, err
	}
	env := localEnv(root.Name(), os.LookupEnv, job.Env, cliConfig)
	// Both streams' lines go to out, one Write at a time.
	out = &syncWriter{w: out}
	var res Result
	steps := 0
	for i, args := range job.Steps {
		steps++
		res.Step = i
		now := time.Now()
		res.Started = append(res.Started, now)
		if job.Started != nil {
			job.Started(i, now)
		}
		code, err := l.step(ctx, root, l.command(ctx, bin, root.Name(), env, args), i, args, job.StdoutFiles[i], out)
		res.ExitCode = code
		if err != nil {
			return res, steps, err
		}
		if code != 0 {
			break
		}
	}
	files, err := collectLocal(root, job.Collect)
	res.Files = files
	if err != nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	return res, steps, err
}

// command builds one step's command; step runs it. Canceling ctx sends terraform SIGINT,
// which it answers by stopping cleanly (releasing state locks); WaitDelay kills it when the
// grace period is over, and also bounds the wait for output a killed terraform's plugins may
// still hold open.
func (l *Local) command(ctx context.Context, bin, dir string, env, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = nil // terraform must never wait on input
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = l.grace
	return cmd
}

// step runs one command to its end and returns its exit code; its stdout goes to the
// workspace file stdoutFile instead of out when that is set. When ctx ends first the error
// is why it ended, a cancel or the job's timeout.
func (l *Local) step(ctx context.Context, root *os.Root, cmd *exec.Cmd, i int, args []string, stdoutFile string, out io.Writer) (int, error) {
	what := fmt.Sprintf("step %d (terraform %s)", i+1, args[0])
	// Writers rather than pipes: Wait returns only once both streams are read to the end
	// (or WaitDelay gave up on them), so every line is out before the exit code is looked at.
	stdout, stderr := &lineWriter{out: out}, &lineWriter{out: out}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	var capture *cappedWriter
	if stdoutFile != "" {
		f, err := createWorkspaceFile(root, stdoutFile)
		if err != nil {
			return -1, fmt.Errorf("%s: creating its stdout file: %w", what, err)
		}
		defer f.Close()
		capture = &cappedWriter{w: f, left: stage.MaxStdoutFile}
		cmd.Stdout = capture
	}
	if err := cmd.Start(); err != nil {
		if ctx.Err() != nil {
			return -1, fmt.Errorf("%s: %w", what, context.Cause(ctx))
		}
		return -1, fmt.Errorf("starting %s: %w", what, err)
	}
	err := cmd.Wait()
	stdout.flush()
	stderr.flush()
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	if ctx.Err() != nil {
		return code, fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
	var exitErr *exec.ExitError
	// ErrWaitDelay after an exit: a plugin terraform left behind held the output open past
	// the grace period; the step's exit code stands.
	if err != nil && !errors.As(err, &exitErr) && !errors.Is(err, exec.ErrWaitDelay) {
		return code, fmt.Errorf("waiting for %s: %w", what, err)
	}
	if code < 0 {
		// Killed by a signal nobody here sent: a failed step all the same.
		fmt.Fprintf(out, "cloudoven: terraform was stopped: %s\n", cmd.ProcessState)
		code = 1
	}
	if capture != nil {
		if capture.err != nil {
			return code, fmt.Errorf("%s: writing %s: %w", what, stdoutFile, capture.err)
		}
		if capture.over {
			fmt.Fprintln(out, stdoutFileTooLong(i, stdoutFile))
			if code == 0 {
				code = 1
			}
		}
	}
	return code, nil
}

// createWorkspaceFile creates (or empties) a workspace file, its folders too.
func createWorkspaceFile(root *os.Root, name string) (*os.File, error) {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	return root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}

// localEnv is the environment terraform runs with: what it needs, and the job's own
// variables (which win), never the server's environment, which holds its secrets. A
// cliConfig (the provider mirror's) wins over both.
func localEnv(workspace string, lookup func(string) (string, bool), jobEnv map[string]string, cliConfig string) []string {
	env := map[string]string{
		"HOME":               workspace,
		"TF_IN_AUTOMATION":   "1",
		"TF_INPUT":           "0",
		"CHECKPOINT_DISABLE": "1",
	}
	// PATH finds the tools providers call; TF_CLI_CONFIG_FILE keeps the developer's plugin
	// cache or mirror, which HOME no longer reaches.
	for _, name := range []string{"PATH", "TF_CLI_CONFIG_FILE"} {
		if v, ok := lookup(name); ok {
			env[name] = v
		}
	}
	for k, v := range jobEnv {
		env[k] = v
	}
	if cliConfig != "" {
		env["TF_CLI_CONFIG_FILE"] = cliConfig
	}
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	sort.Strings(list)
	return list
}

// writeWorkspace writes the job's files into the workspace, readable by the server's user
// only.
func writeWorkspace(root *os.Root, files, extra map[string][]byte) error {
	for name := range extra {
		if _, dup := files[name]; dup {
			return fmt.Errorf("file %s is both a generated and an extra file", name)
		}
	}
	for _, set := range []map[string][]byte{files, extra} {
		for name, data := range set {
			if err := checkWorkspaceName(name); err != nil {
				return err
			}
			if dir := path.Dir(name); dir != "." {
				if err := root.MkdirAll(dir, 0o700); err != nil {
					return fmt.Errorf("writing %s: %w", name, err)
				}
			}
			if err := root.WriteFile(name, data, 0o600); err != nil {
				return fmt.Errorf("writing %s: %w", name, err)
			}
		}
	}
	return nil
}

// collectLocal reads the Collect files back; missing ones are left out. The root keeps a
// symlink terraform left from reaching outside the workspace.
func collectLocal(root *os.Root, names []string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, name := range names {
		data, err := readCollected(root, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return files, fmt.Errorf("collecting %s: %w", name, err)
		}
		files[name] = data
	}
	return files, nil
}

func readCollected(root *os.Root, name string) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if info.Size() > maxCollect {
		return nil, fmt.Errorf("%d bytes is more than the %d MiB a collected file may have", info.Size(), maxCollect>>20)
	}
	return io.ReadAll(io.LimitReader(f, maxCollect))
}

// syncWriter serializes writes from concurrent writers of whole lines: the stdout and stderr
// copiers of a local step, a Docker step and its job's egress proxy.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
