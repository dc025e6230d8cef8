package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestLaggingLogStreamLosesNothing: when the followed log stream lags behind the
// container's exit (a busy daemon or a slow reader), the rest of the output is read from
// the daemon's log, with no line lost or repeated. A drain timeout of a nanosecond and a
// slow reader force that path; the output must equal that of a run whose stream keeps up.
func TestLaggingLogStreamLosesNothing(t *testing.T) {
	t.Parallel()
	d, _ := newDocker(t, DockerOptions{})
	job := func() Job {
		return Job{
			RunID: newRunID(t),
			Files: map[string][]byte{"main.tf": []byte(`resource "terraform_data" "r" {
  count = 150
  input = "value ${count.index}"
}
`)},
			Steps:       [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color"}},
			NetworkMode: "none",
		}
	}
	run := func(d *Docker, delay time.Duration) []string {
		t.Helper()
		out := &output{t: t}
		slow := writerFunc(func(p []byte) (int, error) { time.Sleep(delay); return out.Write(p) })
		res, err := d.Run(context.Background(), job(), slow)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("plan: exit %d, %v\n%s", res.ExitCode, err, out)
		}
		return out.lines
	}
	want := run(d, 0)
	if !strings.Contains(strings.Join(want, "\n"), "Plan: 150 to add, 0 to change, 0 to destroy.") || len(want) < 150*5 {
		t.Fatalf("the reference run printed %d lines, without the plan's summary", len(want))
	}
	lagging, _ := newDocker(t, DockerOptions{})
	lagging.drain = 1
	// A reader slower than terraform: the followed stream is still far behind when
	// terraform exits.
	got := run(lagging, time.Millisecond)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output of a lagging stream (-kept up +lagging):\n%s", diff)
	} else {
		t.Logf("%d lines, the same with a stream that lags", len(got))
	}
}

func TestLineWriterSkipsWhatWasPassedOn(t *testing.T) {
	var got []string
	out := writerFunc(func(p []byte) (int, error) { got = append(got, string(p)); return len(p), nil })
	w := &lineWriter{out: out, skip: 2}
	for i := range 4 {
		fmt.Fprintf(w, "line %d\n", i)
	}
	w.Write([]byte("partial"))
	if diff := cmp.Diff([]string{"line 2\n", "line 3\n"}, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if w.lines != 4 {
		t.Errorf("counted %d lines, want 4: a partial line is not a line", w.lines)
	}
}
