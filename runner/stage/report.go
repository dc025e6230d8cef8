package stage

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"time"
)

// A report is how the driver tells an executor that reads nothing but the container's
// output (Kubernetes: the pod's log) what the Docker executor reads from the workspace:
// when each step starts, the Status after the last, and the content of some files. Each
// report line starts with the Spec's nonce, a random word no terraform output carries by
// chance, then a space and a kind:
//
//	<nonce> started <step index> <RFC 3339 time>    before each step
//	<nonce> status <Status in JSON>                  after the last step
//	<nonce> file {"name":...,"size":...}            then the file's bytes in data lines
//	<nonce> data <base64 of at most 3 KiB>
//	<nonce> missing {"name":...}                     a file that does not exist
//	<nonce> toolarge {"name":...,"size":...}        a file over what a report carries
//	<nonce> end                                      the last report line
//
// The report goes to stdout after terraform has exited, so no line of terraform's is cut
// by one; a line terraform left without a newline ends where the nonce starts.

const (
	// MaxReport bounds the bytes of all a report's files: they travel through the pod's
	// log, base64-encoded.
	MaxReport = 64 << 20
	// MaxReportFiles bounds how many files a report names.
	MaxReportFiles = 64
	// reportChunk is the file bytes one data line carries: 4 KiB of base64, well under the
	// 16 KiB at which a container runtime splits a log line.
	reportChunk = 3 << 10
)

// Report asks the driver for a report on stdout.
type Report struct {
	// Nonce starts every report line: 16 to 64 lowercase hexadecimal digits.
	Nonce string `json:"nonce"`
	// Files are workspace files whose content the report carries after the last step.
	Files []string `json:"files,omitempty"`
}

var noncePattern = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

func (r *Report) check() error {
	if !noncePattern.MatchString(r.Nonce) {
		return errors.New("report nonce: want 16 to 64 lowercase hexadecimal digits")
	}
	if len(r.Files) > MaxReportFiles {
		return fmt.Errorf("report of %d files: at most %d", len(r.Files), MaxReportFiles)
	}
	for _, name := range r.Files {
		if err := CheckFileName(name); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}

type reportFile struct {
	Name string `json:"name"`
	Size int64  `json:"size,omitempty"`
}

// reportStarted says step i started at at.
func (d *Driver) reportStarted(r *Report, i int, at time.Time) {
	fmt.Fprintf(d.Stdout, "%s started %d %s\n", r.Nonce, i, at.Format(time.RFC3339Nano))
}

// reportEnd says the Status and the files, then ends the report.
func (d *Driver) reportEnd(r *Report, root *os.Root, st Status) {
	w := d.Stdout
	line := func(kind string, v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "%s %s %s\n", r.Nonce, kind, b)
	}
	line("status", st)
	left := int64(MaxReport)
	for _, name := range r.Files {
		data, err := root.ReadFile(name)
		switch {
		case errors.Is(err, os.ErrNotExist):
			line("missing", reportFile{Name: name})
			continue
		case err != nil:
			d.say("reading %s for the report: %v", name, err)
			line("missing", reportFile{Name: name})
			continue
		case int64(len(data)) > left:
			line("toolarge", reportFile{Name: name, Size: int64(len(data))})
			continue
		}
		left -= int64(len(data))
		line("file", reportFile{Name: name, Size: int64(len(data))})
		for len(data) > 0 {
			n := min(len(data), reportChunk)
			fmt.Fprintf(w, "%s data %s\n", r.Nonce, base64.StdEncoding.EncodeToString(data[:n]))
			data = data[n:]
		}
	}
	fmt.Fprintf(w, "%s end\n", r.Nonce)
}

// ReportReader reads a container's output line by line: lines of the report with its nonce
// it takes in, every other line it passes to Out unchanged.
type ReportReader struct {
	Nonce string
	// Out gets the lines that are not the report's, one Write per line.
	Out io.Writer
	// Started, when set, is told of each step the report says started.
	Started func(step int, at time.Time)
	// Steps is the job's number of steps, for checking the Status.
	Steps int

	// Status is the report's Status, once read.
	Status *Status
	// Files holds the report's files; TooLarge those it left out and their sizes.
	Files    map[string][]byte
	TooLarge map[string]int64
	// Ended says the report's end line was read.
	Ended bool
	// Err is the first report line that could not be read; the rest of the report is
	// ignored after it.
	Err error

	file    string
	want    int64
	total   int64
	started int
}

// Line reads one line, its newline included.
func (r *ReportReader) Line(line []byte) {
	prefix := []byte(r.Nonce + " ")
	i := bytes.Index(line, prefix)
	if i < 0 {
		_, _ = r.Out.Write(line)
		return
	}
	if i > 0 {
		// The last line of a step's output had no newline.
		_, _ = r.Out.Write(append(bytes.Clone(line[:i]), '\n'))
	}
	if r.Err != nil || r.Ended {
		return
	}
	if err := r.take(bytes.TrimRight(line[i+len(prefix):], "\r\n")); err != nil {
		r.Err = fmt.Errorf("reading the stage report: %w", err)
	}
}

func (r *ReportReader) take(rest []byte) error {
	kind, arg, _ := bytes.Cut(rest, []byte(" "))
	if r.file != "" && string(kind) != "data" {
		return fmt.Errorf("file %s ends after %d of its %d bytes", r.file, len(r.Files[r.file]), r.want)
	}
	switch string(kind) {
	case "started":
		step, at, ok := bytes.Cut(arg, []byte(" "))
		i, err := strconv.Atoi(string(step))
		if !ok || err != nil || i < 0 || i >= r.Steps || i < r.started {
			return fmt.Errorf("step start %q", arg)
		}
		t, err := time.Parse(time.RFC3339Nano, string(at))
		if err != nil {
			return fmt.Errorf("step start %q: %w", arg, err)
		}
		r.started = i
		if r.Started != nil {
			r.Started(i, t)
		}
	case "status":
		st, err := ParseStatus(arg, r.Steps)
		if err != nil {
			return err
		}
		r.Status = &st
	case "file", "missing", "toolarge":
		var f reportFile
		if err := json.Unmarshal(arg, &f); err != nil || CheckFileName(f.Name) != nil || f.Size < 0 {
			return fmt.Errorf("file line %.100q", arg)
		}
		switch string(kind) {
		case "file":
			if r.total+f.Size > MaxReport {
				return fmt.Errorf("files of more than %d MiB", MaxReport>>20)
			}
			if r.Files == nil {
				r.Files = map[string][]byte{}
			}
			r.Files[f.Name] = make([]byte, 0, f.Size)
			r.total += f.Size
			if f.Size > 0 {
				r.file, r.want = f.Name, f.Size
			}
		case "toolarge":
			if r.TooLarge == nil {
				r.TooLarge = map[string]int64{}
			}
			r.TooLarge[f.Name] = f.Size
		}
	case "data":
		if r.file == "" {
			return errors.New("data outside a file")
		}
		data, err := base64.StdEncoding.DecodeString(string(arg))
		if err != nil {
			return fmt.Errorf("file %s: %w", r.file, err)
		}
		buf := r.Files[r.file]
		if int64(len(buf)+len(data)) > r.want {
			return fmt.Errorf("file %s is longer than the %d bytes it said", r.file, r.want)
		}
		r.Files[r.file] = append(buf, data...)
		if int64(len(r.Files[r.file])) == r.want {
			r.file = ""
		}
	case "end":
		r.Ended = true
	default:
		return fmt.Errorf("unknown line %.40q", kind)
	}
	return nil
}
