package stage

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

const (
	// Path is where the runner image carries the driver.
	Path = "/bin/cloudoven-stage"
	// ImageLabel marks an image that carries the driver at Path, valued with the protocol
	// version (ProtocolVersion); the executor runs the steps of a job one container each
	// in an image without it.
	ImageLabel = "cloudoven.stage"
	// ProtocolVersion is ImageLabel's value for this Spec and Status.
	ProtocolVersion = "1"
	// StatusFile is the workspace file the driver writes its Status to.
	StatusFile = ".cloudoven-stage.json"
	// MaxStdoutFile bounds what one step may write to its stdout file.
	MaxStdoutFile = 8 << 20
	// MaxSpec bounds the Spec argument, well under the 128 KiB Linux allows one argument.
	MaxSpec = 64 << 10
	// maxStatus bounds a status file read back: a step's start takes some 40 bytes.
	maxStatus = 4 << 10
	// ExitBadUsage is the driver's exit code when it could not do what it was asked: bad
	// arguments, or a step it could not start.
	ExitBadUsage = 125
)

// Spec is what the driver runs: its one argument, in JSON.
type Spec struct {
	// Steps are terraform's arguments, one list per command, run in order.
	Steps [][]string `json:"steps"`
	// StdoutFiles maps a step's index to the workspace file its stdout is written to
	// instead of passed through (at most MaxStdoutFile bytes); its stderr is passed through.
	StdoutFiles map[int]string `json:"stdout_files,omitempty"`
	// Unpack, when set, is the absolute path of a gzip-compressed tar archive, outside the
	// workspace, whose regular files and directories the driver writes into the workspace
	// before the first step (at most MaxUnpack bytes in all): how an executor without a
	// shared filesystem (Kubernetes, which mounts the archive from a Secret) delivers the
	// job's files.
	Unpack string `json:"unpack,omitempty"`
	// UnpackParts, when over 0, says the archive comes in that many files, Unpack + ".0"
	// to Unpack + "." + (UnpackParts-1), read in that order as one: one Kubernetes Secret
	// holds at most 1 MiB, so a larger archive is split over several (at most
	// MaxUnpackParts).
	UnpackParts int `json:"unpack_parts,omitempty"`
	// Report, when set, has the driver say on stdout, in lines that start with its Nonce,
	// when each step starts and, after the last, its Status and the content of Files
	// (report.go): how an executor that can read only the container's output learns what
	// the status file and the workspace hold.
	Report *Report `json:"report,omitempty"`
}

// Status is the driver's account of the job, in StatusFile: the step running or the one
// that ended the job, and, once it ended, its exit code.
type Status struct {
	Step     int  `json:"step"`
	ExitCode *int `json:"exit_code,omitempty"`
	// Started is when each step that started did, in order. A driver older than the field
	// leaves it out, which the executor reads as not known.
	Started []time.Time `json:"started,omitempty"`
}

// Encode is the Spec as the driver's argument.
func (s Spec) Encode() (string, error) {
	if err := s.Check(); err != nil {
		return "", err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encoding the stage spec: %w", err)
	}
	if len(b) > MaxSpec {
		return "", fmt.Errorf("the steps take %d bytes, more than the %d KiB a job's steps may have", len(b), MaxSpec>>10)
	}
	return string(b), nil
}

// ParseSpec reads the driver's argument.
func ParseSpec(arg string) (Spec, error) {
	if len(arg) > MaxSpec {
		return Spec{}, fmt.Errorf("spec of %d bytes is more than %d KiB", len(arg), MaxSpec>>10)
	}
	dec := json.NewDecoder(strings.NewReader(arg))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return Spec{}, fmt.Errorf("reading the spec: %w", err)
	}
	if dec.More() {
		return Spec{}, errors.New("reading the spec: more than one JSON value")
	}
	return s, s.Check()
}

// Check refuses a Spec without steps, with an empty step, or with a stdout file that is not
// a clean relative path of the workspace or names StatusFile.
func (s Spec) Check() error {
	if len(s.Steps) == 0 {
		return errors.New("no steps")
	}
	if s.Unpack != "" && (!path.IsAbs(s.Unpack) || path.Clean(s.Unpack) != s.Unpack) {
		return fmt.Errorf("unpack %q: want a clean absolute path", s.Unpack)
	}
	if s.UnpackParts < 0 || s.UnpackParts > MaxUnpackParts || s.UnpackParts > 0 && s.Unpack == "" {
		return fmt.Errorf("unpack parts %d: want 0 to %d, and an unpack path with any", s.UnpackParts, MaxUnpackParts)
	}
	if s.Report != nil {
		if err := s.Report.check(); err != nil {
			return err
		}
	}
	for i, step := range s.Steps {
		if len(step) == 0 {
			return fmt.Errorf("step %d is empty", i+1)
		}
	}
	for i, name := range s.StdoutFiles {
		if i < 0 || i >= len(s.Steps) {
			return fmt.Errorf("stdout file %q is for step index %d, not one of the %d steps", name, i, len(s.Steps))
		}
		if err := CheckFileName(name); err != nil {
			return fmt.Errorf("stdout file of step %d: %w", i+1, err)
		}
	}
	return nil
}

// CheckFileName accepts a clean relative path inside the workspace that is not the
// driver's own StatusFile (or its temporary twin).
func CheckFileName(name string) error {
	if name == "" || path.IsAbs(name) || path.Clean(name) != name || name == "." || name == ".." ||
		strings.HasPrefix(name, "../") || strings.ContainsAny(name, "\\\x00") {
		return fmt.Errorf("file name %q: want a clean relative path inside the workspace", name)
	}
	if name == StatusFile || name == statusTemp {
		return fmt.Errorf("file name %q is the stage driver's own", name)
	}
	return nil
}

// ParseStatus reads a StatusFile's content; steps is the job's number of steps.
func ParseStatus(data []byte, steps int) (Status, error) {
	if len(data) > maxStatus {
		return Status{}, fmt.Errorf("status of %d bytes is more than %d", len(data), maxStatus)
	}
	var st Status
	if err := json.Unmarshal(data, &st); err != nil {
		return Status{}, fmt.Errorf("reading the stage status: %w", err)
	}
	if st.Step < 0 || st.Step >= steps {
		return Status{}, fmt.Errorf("stage status names step index %d of %d", st.Step, steps)
	}
	if len(st.Started) > st.Step+1 {
		return Status{}, fmt.Errorf("stage status has %d step starts at step index %d", len(st.Started), st.Step)
	}
	return st, nil
}
