package stage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"sync"
	"syscall"
	"time"
)

// statusTemp is where a Status is written before it is renamed over StatusFile, so the
// executor never reads half of one.
const statusTemp = StatusFile + ".tmp"

// Driver runs a Spec's steps in one workspace.
type Driver struct {
	// Terraform is the binary each step runs.
	Terraform string
	// Dir is the workspace: terraform's working directory, home of StatusFile and of the
	// stdout files.
	Dir string
	// Env is terraform's environment; nil is the driver's own.
	Env []string
	// Stdout and Stderr receive terraform's output. An *os.File is handed to terraform
	// as it is, so nothing stands between terraform's writes and the container's log.
	Stdout, Stderr io.Writer
}

// Run runs the steps in order and returns the exit code the job ends with: that of the
// first step that exits non-zero, else of the last. A signal received on signals is
// forwarded to the running terraform, and no step runs after it; a job a signal cut short
// with steps left ends with 128 plus the signal's number unless its last step failed on
// its own. The Status goes to StatusFile before each step and after the last, with when
// each step started.
func (d *Driver) Run(spec Spec, signals <-chan os.Signal) int {
	if err := spec.Check(); err != nil {
		d.say("%v", err)
		return ExitBadUsage
	}
	root, err := os.OpenRoot(d.Dir)
	if err != nil {
		d.say("opening the workspace: %v", err)
		return ExitBadUsage
	}
	defer root.Close()
	if spec.Unpack != "" {
		if err := unpack(root, spec.Unpack, spec.UnpackParts); err != nil {
			d.say("unpacking the job's files: %v", err)
			return ExitBadUsage
		}
	}

	f := &forwarder{}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case sig := <-signals:
				f.forward(sig)
			case <-done:
				return
			}
		}
	}()

	var started []time.Time
	for i, args := range spec.Steps {
		started = append(started, time.Now().UTC())
		d.writeStatus(root, Status{Step: i, Started: started})
		if spec.Report != nil {
			d.reportStarted(spec.Report, i, started[i])
		}
		code := d.step(root, f, i, args, spec.StdoutFiles[i])
		if sig := f.received(); sig != 0 && i < len(spec.Steps)-1 {
			if code == 0 {
				code = 128 + int(sig)
			}
			d.say("interrupted (%s) at step %d of %d: no further step runs", sig, i+1, len(spec.Steps))
		}
		if code != 0 || i == len(spec.Steps)-1 {
			st := Status{Step: i, ExitCode: &code, Started: started}
			d.writeStatus(root, st)
			if spec.Report != nil {
				d.reportEnd(spec.Report, root, st)
			}
			return code
		}
	}
	panic("unreachable: the loop returns at the last step")
}

// step runs one terraform command and returns its exit code: 128 plus the signal's number
// when a signal ended it, ExitBadUsage when it could not start.
func (d *Driver) step(root *os.Root, f *forwarder, i int, args []string, stdoutFile string) int {
	cmd := exec.Command(d.Terraform, args...)
	cmd.Dir = d.Dir
	cmd.Env = d.Env
	cmd.Stdin = nil // terraform must never wait on input
	cmd.Stdout, cmd.Stderr = d.Stdout, d.Stderr
	var capture *limitWriter
	if stdoutFile != "" {
		file, err := createFile(root, stdoutFile)
		if err != nil {
			d.say("step %d: creating its stdout file: %v", i+1, err)
			return ExitBadUsage
		}
		defer file.Close()
		capture = &limitWriter{w: file, left: MaxStdoutFile}
		cmd.Stdout = capture
	}
	if err := f.start(cmd); err != nil {
		if errors.Is(err, errInterrupted) {
			return 128 + int(f.received())
		}
		d.say("step %d: starting %s: %v", i+1, d.Terraform, err)
		return ExitBadUsage
	}
	err := cmd.Wait()
	f.stopped()
	code := exitCode(cmd, err)
	if capture != nil {
		switch {
		case capture.over:
			d.say("step %d wrote more than %d MiB to %s: the rest was left out", i+1, MaxStdoutFile>>20, stdoutFile)
			if code == 0 {
				code = 1
			}
		case capture.err != nil:
			d.say("step %d: writing %s: %v", i+1, stdoutFile, capture.err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// exitCode is how a finished command ended, the way a shell says it.
func exitCode(cmd *exec.Cmd, err error) int {
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled():
		return 128 + int(ws.Signal())
	case cmd.ProcessState.ExitCode() >= 0:
		return cmd.ProcessState.ExitCode()
	case err != nil:
		return 1
	}
	return 0
}

func createFile(root *os.Root, name string) (*os.File, error) {
	if dir := path.Dir(name); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	return root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
}

// writeStatus replaces StatusFile. A failure is said, not fatal: the job's output and exit
// code still tell what happened.
func (d *Driver) writeStatus(root *os.Root, st Status) {
	data, err := json.Marshal(st)
	if err == nil {
		err = root.WriteFile(statusTemp, data, 0o644)
	}
	if err == nil {
		err = root.Rename(statusTemp, StatusFile)
	}
	if err != nil {
		d.say("writing %s: %v", StatusFile, err)
	}
}

// say writes one line of the driver's own on stderr.
func (d *Driver) say(format string, args ...any) {
	fmt.Fprintf(d.Stderr, "cloudoven-stage: "+format+"\n", args...)
}

var errInterrupted = errors.New("interrupted before the step started")

// forwarder hands signals to the running terraform and remembers the first, so no step
// starts after it. Starting a step and forwarding hold the same lock: a signal is either
// seen before a start, which it then prevents, or sent to the started process.
type forwarder struct {
	mu      sync.Mutex
	running *os.Process
	sig     syscall.Signal
}

func (f *forwarder) forward(sig os.Signal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := sig.(syscall.Signal)
	if !ok {
		return
	}
	if f.sig == 0 {
		f.sig = s
	}
	if f.running != nil {
		// An error means terraform has just exited: nothing left to tell.
		_ = f.running.Signal(sig)
	}
}

func (f *forwarder) start(cmd *exec.Cmd) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sig != 0 {
		return errInterrupted
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	f.running = cmd.Process
	return nil
}

func (f *forwarder) stopped() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running = nil
}

func (f *forwarder) received() syscall.Signal {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sig
}

// limitWriter writes up to left bytes to w and swallows the rest, so terraform never
// blocks on a full pipe; over says something was swallowed.
type limitWriter struct {
	w    io.Writer
	left int64
	over bool
	err  error
}

func (l *limitWriter) Write(p []byte) (int, error) {
	n := len(p)
	if int64(len(p)) > l.left {
		p = p[:l.left]
		l.over = true
	}
	if len(p) > 0 && l.err == nil {
		if _, err := l.w.Write(p); err != nil {
			l.err = err
		}
		l.left -= int64(len(p))
	}
	return n, nil
}
