package main

import (
	"bytes"
	"strings"
	"testing"

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
