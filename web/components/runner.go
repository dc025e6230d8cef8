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
