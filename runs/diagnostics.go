package runs

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/providercheck"
	"github.com/cloudoven/cloudoven/store"
)

// A run keeps terraform's errors and warnings apart from its log, so its page can show
// them first: those of the machine-readable UI of plan and apply, those init prints as
// text (it has no -json in terraform 1.5), and those of the providers' check (validate
// -json, read back from its file). Each is redacted as the log is and, where the
// generator's source map places its file and line, put on the blueprint's field. A run
// keeps at most store.MaxRunDiagnostics of them.

// textDiagnostic reads the diagnostics terraform prints as text: boxed, as init prints a
// warning,
//
//	╷
//	│ Warning: Unable to open CLI configuration file
//	│
//	│ The CLI configuration file at "missing.tfrc" does not exist.
//	╵
//
// or bare, as it prints its last error: from "Error: <summary>" to the next diagnostic,
// init's next line of its own, two blank lines, or the end of the output (Close).
type textDiagnostic struct {
	boxed, bare bool
	lines       []string
	size        int // bytes in lines
}

var (
	textDiagnosticOn  = regexp.MustCompile(`^\s*on (\S+) line (\d+)`)
	textDiagnosticSrc = regexp.MustCompile(`^\s*\d+:`)
)

// What one text diagnostic keeps while it is read; the store keeps less of its detail.
const (
	maxTextDiagnosticLines = 200
	maxTextDiagnosticBytes = 16 << 10
)

// line reads one line of text output; it returns a diagnostic when l ends one.
func (t *textDiagnostic) line(l string) (store.RunDiagnostic, bool) {
	trimmed := strings.TrimSpace(l)
	switch {
	case t.boxed && trimmed == "╵":
		t.boxed = false
		return parseTextDiagnostic(t.lines)
	case t.boxed:
		rest, _ := strings.CutPrefix(l, "│")
		t.keep(strings.TrimPrefix(rest, " "))
		return store.RunDiagnostic{}, false
	case trimmed == "╷":
		d, ok := t.end()
		t.boxed, t.lines, t.size = true, t.lines[:0], 0
		return d, ok
	case strings.HasPrefix(l, "Error: ") || strings.HasPrefix(l, "Warning: "):
		d, ok := t.end()
		t.bare, t.lines, t.size = true, t.lines[:0], 0
		t.keep(l)
		return d, ok
	case t.bare && (strings.HasPrefix(l, "Initializing ") || strings.HasPrefix(l, "Terraform has ") ||
		trimmed == "" && len(t.lines) > 0 && strings.TrimSpace(t.lines[len(t.lines)-1]) == "" && len(t.lines) > 2):
		// init goes on with its own lines, or a second blank line ends the paragraphs.
		return t.end()
	case t.bare:
		t.keep(l)
	}
	return store.RunDiagnostic{}, false
}

func (t *textDiagnostic) keep(l string) {
	if len(t.lines) < maxTextDiagnosticLines && t.size+len(l) <= maxTextDiagnosticBytes {
		t.lines = append(t.lines, l)
		t.size += len(l)
	}
}

// end ends a bare diagnostic: the output ended, or another began.
func (t *textDiagnostic) end() (store.RunDiagnostic, bool) {
	if !t.bare {
		return store.RunDiagnostic{}, false
	}
	t.bare = false
	return parseTextDiagnostic(t.lines)
}

func parseTextDiagnostic(lines []string) (store.RunDiagnostic, bool) {
	var d store.RunDiagnostic
	var detail []string
	for _, l := range lines {
		switch {
		case d.Severity == "":
			if s, ok := strings.CutPrefix(l, "Error: "); ok {
				d.Severity, d.Summary = "error", strings.TrimSpace(s)
			} else if s, ok := strings.CutPrefix(l, "Warning: "); ok {
				d.Severity, d.Summary = "warning", strings.TrimSpace(s)
			}
		case d.File == "" && textDiagnosticOn.MatchString(l) && len(detail) == 0:
			m := textDiagnosticOn.FindStringSubmatch(l)
			d.File = m[1]
			d.Line, _ = strconv.Atoi(m[2])
		case d.File != "" && len(detail) == 0 && textDiagnosticSrc.MatchString(l):
			// The source lines terraform quotes; the file and line say where they are.
		case len(detail) == 0 && strings.TrimSpace(l) == "":
			// The blank line after the summary, or after where it points.
		default:
			detail = append(detail, l)
		}
	}
	if d.Severity == "" {
		return d, false
	}
	d.Detail = strings.TrimSpace(strings.Join(detail, "\n"))
	return d, true
}

// uiDiagnostic is a diagnostic of the machine-readable UI.
func uiDiagnostic(m uiMessage) store.RunDiagnostic {
	d := m.Diagnostic
	rd := store.RunDiagnostic{Severity: "error", Summary: strings.TrimSpace(d.Summary), Detail: strings.TrimSpace(d.Detail), Address: d.Address}
	if d.Severity == "warning" {
		rd.Severity = "warning"
	}
	if d.Range != nil {
		rd.File, rd.Line = d.Range.Filename, d.Range.Start.Line
	}
	return rd
}

// checkRunDiagnostics are the providers' check's diagnostics as a run keeps them.
func checkRunDiagnostics(ds providercheck.Diagnostics) []store.RunDiagnostic {
	out := make([]store.RunDiagnostic, 0, len(ds))
	for _, d := range ds {
		rd := store.RunDiagnostic{Step: StepPlanCheck, Severity: "error", Summary: d.Summary, Detail: strings.TrimSpace(d.Detail),
			File: d.File, Line: d.Line, Path: d.Path}
		if d.Severity == blueprint.Warning {
			rd.Severity = "warning"
		}
		out = append(out, rd)
	}
	return out
}

// recordDiagnostics keeps a stage's diagnostics with its run: check's first (they are
// placed already), then the others, placed on the blueprint where the source map knows
// their line, less those the check reported too. Each is redacted with the stage's
// secrets.
func (s *Service) recordDiagnostics(runID string, st stage, check []store.RunDiagnostic, seen []store.RunDiagnostic) {
	ds := slices.Clone(check)
	var sm *blueprint.SourceMap
	if st.blueprint != nil {
		sm, _ = blueprint.MapSource(st.blueprint, st.generated)
	}
	for _, d := range seen {
		if slices.ContainsFunc(check, func(c store.RunDiagnostic) bool {
			return c.Severity == d.Severity && c.File == d.File && c.Line == d.Line && strings.HasSuffix(c.Summary, d.Summary)
		}) {
			continue
		}
		if sm != nil && d.File != "" {
			if l, ok := sm.At(d.File, d.Line); ok {
				d.Path = l.Path
			}
		}
		ds = append(ds, d)
	}
	if len(ds) == 0 {
		return
	}
	slices.SortStableFunc(ds, func(a, b store.RunDiagnostic) int { return stepPosition[a.Step] - stepPosition[b.Step] })
	for i := range ds {
		d := &ds[i]
		d.Summary = RedactString(d.Summary, st.secrets)
		d.Detail = RedactString(d.Detail, st.secrets)
		d.Address = RedactString(d.Address, st.secrets)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kept, err := s.opts.Store.AddRunDiagnostics(ctx, runID, ds)
	if err != nil {
		s.log.Error("recording a run's diagnostics", "run", runID, "err", err)
		return
	}
	if kept < len(ds) {
		s.log.Warn("a run has more diagnostics than it keeps", "run", runID, "kept", kept, "dropped", len(ds)-kept)
	}
}
