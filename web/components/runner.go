package components

import (
	"strings"
)

// RunnerLabel names what runs terraform; a runner that does not isolate runs is shown
// as a warning.
type RunnerLabel struct {
	Text        string
	NotIsolated bool
}

// NewRunnerLabel labels a runner; text that says "not isolated" makes it a warning.
func NewRunnerLabel(text string) RunnerLabel {
	return RunnerLabel{Text: text, NotIsolated: strings.Contains(strings.ToLower(text), "not isolated")}
}

// RunsNotConfigured is what pages and refused requests say when the server has no runner.
const RunsNotConfigured = "Runs are not configured on this server: it was started without a runner, so it can show and download the files but not plan or apply them."
