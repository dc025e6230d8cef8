package stage

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// fakeTerraform stands in for terraform: "say <word> [code]" prints a line on each stream
// and exits with code; "big" prints more than MaxStdoutFile; "wait" says "started" and
// waits for SIGINT or SIGTERM, which it answers with a line and exit code 1.
const fakeTerraform = `#!/bin/sh
case "$1" in
say) echo "out $2"; echo "err $2" >&2; exit ${3:-0} ;;
big) head -c 9000000 /dev/zero; echo "big done" >&2 ;;
wait)
  trap 'echo "got INT"; exit 1' INT
  trap 'echo "got TERM"; exit 1' TERM
  echo started
  while :; do sleep 0.05; done ;;
*) echo "unknown $1" >&2; exit 3 ;;
esac
`

// newDriver is a Driver on the fake terraform in a fresh workspace; both streams go to one
// file, as they go to one container log, so their order shows.
func newDriver(t *testing.T) (*Driver, *os.File) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "terraform")
	testenv.WriteExecutable(t, bin, []byte(fakeTerraform))
	log, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	return &Driver{Terraform: bin, Dir: dir, Stdout: log, Stderr: log}, log
}

func logOf(t *testing.T, f *os.File) []string {
	t.Helper()
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func statusOf(t *testing.T, d *Driver, steps int) Status {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(d.Dir, StatusFile))
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseStatus(data, steps)
	if err != nil {
		t.Fatal(err)
	}
	if st.ExitCode == nil {
		t.Fatalf("status %s has no exit code", data)
	}
	return st
}

func TestDriverRunsStepsInOrderUntilOneFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		steps    [][]string
		code     int
		step     int
		wantLogs []string
	}{
		{"all pass", [][]string{{"say", "a"}, {"say", "b"}}, 0, 1,
			[]string{"out a", "err a", "out b", "err b"}},
		{"second fails", [][]string{{"say", "a"}, {"say", "b", "2"}, {"say", "c"}}, 2, 1,
			[]string{"out a", "err a", "out b", "err b"}},
		{"first fails", [][]string{{"nope"}, {"say", "b"}}, 3, 0,
			[]string{"unknown nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, log := newDriver(t)
			before := time.Now()
			code := d.Run(Spec{Steps: tc.steps}, nil)
			after := time.Now()
			if code != tc.code {
				t.Errorf("exit code %d, want %d", code, tc.code)
			}
			if diff := cmp.Diff(tc.wantLogs, logOf(t, log)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			st := statusOf(t, d, len(tc.steps))
			if st.Step != tc.step || *st.ExitCode != tc.code {
				t.Errorf("status step %d code %d, want step %d code %d", st.Step, *st.ExitCode, tc.step, tc.code)
			}
			// When each step that ran started, in order, within the run.
			if len(st.Started) != tc.step+1 {
				t.Errorf("status has %d step starts, want %d", len(st.Started), tc.step+1)
			}
			for i, at := range st.Started {
				if at.Before(before) || at.After(after) || i > 0 && at.Before(st.Started[i-1]) {
					t.Errorf("step %d started at %v, not in order within %v to %v", i, at, before, after)
				}
			}
		})
	}
}

func TestDriverWritesStdoutFiles(t *testing.T) {
	t.Parallel()
	d, log := newDriver(t)
	code := d.Run(Spec{Steps: [][]string{{"say", "a"}, {"say", "b"}}, StdoutFiles: map[int]string{1: "out/b.json"}}, nil)
	if code != 0 {
		t.Fatalf("exit code %d\n%s", code, strings.Join(logOf(t, log), "\n"))
	}
	if diff := cmp.Diff([]string{"out a", "err a", "err b"}, logOf(t, log)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	got, err := os.ReadFile(filepath.Join(d.Dir, "out", "b.json"))
	if err != nil || string(got) != "out b\n" {
		t.Errorf("stdout file = %q, %v; want %q", got, err, "out b\n")
	}
}

func TestDriverRefusesAnOversizedStdoutFile(t *testing.T) {
	t.Parallel()
	d, log := newDriver(t)
	code := d.Run(Spec{Steps: [][]string{{"big"}, {"say", "never"}}, StdoutFiles: map[int]string{0: "big.out"}}, nil)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	want := []string{"big done", "cloudoven-stage: step 1 wrote more than 8 MiB to big.out: the rest was left out"}
	if diff := cmp.Diff(want, logOf(t, log)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if info, err := os.Stat(filepath.Join(d.Dir, "big.out")); err != nil || info.Size() != MaxStdoutFile {
		t.Errorf("stdout file: %v, want %d bytes", err, MaxStdoutFile)
	}
	if st := statusOf(t, d, 2); st.Step != 0 || *st.ExitCode != 1 {
		t.Errorf("status step %d code %d, want step 0 code 1", st.Step, *st.ExitCode)
	}
}

func TestDriverForwardsSignalsAndStops(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			d, log := newDriver(t)
			pr, pw := io.Pipe()
			d.Stdout = pw
			signals := make(chan os.Signal, 1)
			lines := make(chan []string, 1)
			go func() {
				var got []string
				sc := bufio.NewScanner(pr)
				for sc.Scan() {
					got = append(got, sc.Text())
					if sc.Text() == "started" {
						signals <- sig
					}
				}
				lines <- got
			}()
			code := d.Run(Spec{Steps: [][]string{{"say", "a"}, {"wait"}, {"say", "never"}}}, signals)
			pw.Close()
			got := <-lines
			name := map[syscall.Signal]string{syscall.SIGINT: "INT", syscall.SIGTERM: "TERM"}[sig]
			if diff := cmp.Diff([]string{"out a", "started", "got " + name}, got); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if code != 1 {
				t.Errorf("exit code %d, want terraform's 1", code)
			}
			wantErr := []string{"err a", "cloudoven-stage: interrupted (" + sig.String() + ") at step 2 of 3: no further step runs"}
			if diff := cmp.Diff(wantErr, logOf(t, log)); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if st := statusOf(t, d, 3); st.Step != 1 || *st.ExitCode != 1 {
				t.Errorf("status step %d code %d, want step 1 code 1", st.Step, *st.ExitCode)
			}
		})
	}
}

func TestDriverRunsNothingAfterAnEarlySignal(t *testing.T) {
	t.Parallel()
	d, log := newDriver(t)
	signals := make(chan os.Signal, 1)
	signals <- syscall.SIGTERM
	// The signal may be taken before the first step starts or while it runs: either way
	// the second never runs, and the job does not end as a success.
	code := d.Run(Spec{Steps: [][]string{{"wait"}, {"say", "never"}}}, signals)
	if code != 1 && code != 128+int(syscall.SIGTERM) {
		t.Errorf("exit code %d, want terraform's 1 or %d", code, 128+int(syscall.SIGTERM))
	}
	for _, l := range logOf(t, log) {
		if strings.Contains(l, "never") {
			t.Errorf("a step ran after the signal: %q", l)
		}
	}
}

func TestSpecIsChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		arg  string
		want string
	}{
		{"not JSON", "init", "reading the spec"},
		{"unknown field", `{"steps":[["init"]],"env":{}}`, "unknown field"},
		{"no steps", `{"steps":[]}`, "no steps"},
		{"empty step", `{"steps":[["init"],[]]}`, "step 2 is empty"},
		{"stdout file of no step", `{"steps":[["init"]],"stdout_files":{"1":"x"}}`, "not one of the 1 steps"},
		{"stdout file outside", `{"steps":[["init"]],"stdout_files":{"0":"../x"}}`, "clean relative path"},
		{"stdout file absolute", `{"steps":[["init"]],"stdout_files":{"0":"/etc/passwd"}}`, "clean relative path"},
		{"stdout file is the status", `{"steps":[["init"]],"stdout_files":{"0":".cloudoven-stage.json"}}`, "driver's own"},
		{"two values", `{"steps":[["init"]]} {}`, "more than one"},
		{"too long", `{"steps":[["` + strings.Repeat("a", MaxSpec) + `"]]}`, "more than 64 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseSpec(tc.arg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseSpec(%.40q) = %v, want an error containing %q", tc.arg, err, tc.want)
			}
		})
	}
	spec := Spec{Steps: [][]string{{"init", "-input=false"}, {"validate", "-json"}}, StdoutFiles: map[int]string{1: "validate.json"}}
	arg, err := spec.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseSpec(arg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(spec, back); diff != "" {
		t.Errorf("spec after a round trip (-want +got):\n%s", diff)
	}
}

func TestStatusIsChecked(t *testing.T) {
	t.Parallel()
	for _, data := range []string{``, `{"step":-1}`, `{"step":3}`, `[]`, strings.Repeat(" ", 5000) + `{}`,
		`{"step":0,"started":["2026-01-01T00:00:00Z","2026-01-01T00:00:01Z"]}`} {
		if _, err := ParseStatus([]byte(data), 3); err == nil {
			t.Errorf("ParseStatus(%.30q) accepted it", data)
		}
	}
	code := 2
	data, _ := json.Marshal(Status{Step: 2, ExitCode: &code})
	if st, err := ParseStatus(data, 3); err != nil || st.Step != 2 || *st.ExitCode != 2 {
		t.Errorf("ParseStatus(%s) = %+v, %v", data, st, err)
	}
}
