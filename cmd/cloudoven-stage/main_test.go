package main

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner/stage"
)

func TestBadArgumentsExit125WithOneLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no argument", nil, "want one argument, the stage spec in JSON; got 0"},
		{"two arguments", []string{"{}", "{}"}, "got 2"},
		{"not JSON", []string{"init"}, "reading the spec"},
		{"no steps", []string{`{"steps":[]}`}, "no steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr, nil)
			if code != stage.ExitBadUsage {
				t.Errorf("exit code %d, want %d", code, stage.ExitBadUsage)
			}
			line := stderr.String()
			if !strings.HasPrefix(line, "cloudoven-stage: ") || strings.Count(line, "\n") != 1 || !strings.Contains(line, tc.want) {
				t.Errorf("stderr %q, want one cloudoven-stage line containing %q", line, tc.want)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

// The driver is built static into an image with nothing else: it depends on the standard
// library and its own protocol package only.
func TestDependsOnTheStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to list the driver's dependencies")
	}
	cmd := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	got := strings.Fields(string(out))
	want := []string{"github.com/cloudoven/cloudoven/runner/stage", "github.com/cloudoven/cloudoven/cmd/cloudoven-stage"}
	if !slices.Equal(got, want) {
		t.Errorf("non-standard dependencies %v, want %v", got, want)
	}
}
