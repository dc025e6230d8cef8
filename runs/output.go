package runs

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/cloudoven/cloudoven/store"
)

const (
	// maxTextLine is where a plain output line is cut when no newline
	// comes.
	maxTextLine = 64 << 10
	// maxPlanJSON bounds the `terraform show -json` line kept for the
	// plan; beyond it the run errors rather than hold unbounded memory.
	maxPlanJSON = 64 << 20
)

// planJSONPrefix starts what `terraform show -json` prints, and no UI
// message.
var planJSONPrefix = []byte(`{"format_version"`)

// output turns what a stage's terraform commands print into log lines:
// machine-readable UI messages become their human message (and move the
// progress), the plan JSON of `show -json` is kept aside rather than
// logged, and everything passes the Redactor before it reaches the Hub.
// It is safe for concurrent use.
type output struct {
	mu       sync.Mutex
	raw      []byte // the current line, not yet complete
	redactor *Redactor
	sink     *lineSink
	tracker  *Tracker
	progress func(Progress)
	planJSON []byte
	tooLarge bool // a plan JSON line went over maxPlanJSON
	// firstError is the first error terraform reported, as one line: its summary and where
	// it points. A failed stage names it instead of only an exit code.
	firstError string
	// diagnostics are terraform's errors and warnings, at most store.MaxRunDiagnostics:
	// those of the machine-readable UI come from uiStep, those printed as text from
	// textStep (init has no -json).
	diagnostics      []store.RunDiagnostic
	text             textDiagnostic
	uiStep, textStep string
	// step, when set, names the step that runs as the executor reports it; text diagnostics
	// are its, else textStep's.
	step func() string
}

func newOutput(hub *Hub, runID string, secrets []string, tracker *Tracker, progress func(Progress)) *output {
	sink := &lineSink{hub: hub, runID: runID}
	return &output{redactor: NewRedactor(sink, secrets), sink: sink, tracker: tracker, progress: progress}
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			o.raw = append(o.raw, p...)
			o.spill()
			break
		}
		o.raw = append(o.raw, p[:i]...)
		o.line(o.raw)
		o.raw = o.raw[:0]
		p = p[i+1:]
	}
	return n, nil
}

// spill passes on an unfinished line that grew too long to wait for.
func (o *output) spill() {
	limit := maxTextLine
	if bytes.HasPrefix(o.raw, planJSONPrefix) || bytes.HasPrefix(planJSONPrefix, o.raw) {
		limit = maxPlanJSON
	}
	if len(o.raw) <= limit {
		return
	}
	if limit == maxPlanJSON {
		o.tooLarge = true
		o.raw = o.raw[:0] // dropped, not logged: it holds every value of the plan
		return
	}
	o.redactor.Write(o.raw)
	o.raw = o.raw[:0]
}

func (o *output) line(l []byte) {
	l = bytes.TrimSuffix(l, []byte("\r"))
	if bytes.HasPrefix(l, planJSONPrefix) {
		if !o.tooLarge {
			o.planJSON = append([]byte(nil), l...)
		}
		return
	}
	if m, ok := parseUI(l); ok {
		if o.tracker != nil && o.tracker.observe(m) && o.progress != nil {
			o.progress(o.tracker.Progress())
		}
		if d := m.Diagnostic; d != nil && d.Severity == "error" && o.firstError == "" {
			o.firstError = errorLine(d.Summary, d.Range, d.Address)
		}
		if m.Diagnostic != nil {
			d := uiDiagnostic(m)
			d.Step = o.uiStep
			o.diagnose(d)
		}
		o.redactor.Write([]byte(renderUI(m)))
		return
	}
	// init and validate without -json print their errors as text: "Error: <summary>".
	if rest, ok := bytes.CutPrefix(bytes.TrimLeft(l, "│ "), []byte("Error: ")); ok && o.firstError == "" {
		o.firstError = strings.TrimSpace(string(rest))
	}
	if d, ok := o.text.line(string(l)); ok {
		d.Step = o.textStepName()
		o.diagnose(d)
	}
	o.redactor.Write(l)
	o.redactor.Write([]byte("\n"))
}

func (o *output) textStepName() string {
	if o.step != nil {
		if n := o.step(); n != "" {
			return n
		}
	}
	return o.textStep
}

// diagnose keeps a diagnostic, while the run has room for it, unless it has it already:
// each of a stage's commands may say the same (a warning about the CLI configuration).
func (o *output) diagnose(d store.RunDiagnostic) {
	if len(o.diagnostics) >= store.MaxRunDiagnostics {
		return
	}
	for _, k := range o.diagnostics {
		k.Step = d.Step
		if k == d {
			return
		}
	}
	o.diagnostics = append(o.diagnostics, d)
}

// seen returns the diagnostics the stage's output reported.
func (o *output) seen() []store.RunDiagnostic {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.diagnostics
}

// errorLine is a diagnostic in one line: its summary, then where it points.
func errorLine(summary string, r *uiRange, address string) string {
	line := strings.TrimSpace(summary)
	if r != nil && r.Filename != "" {
		line += " (" + r.Filename + " line " + strconv.Itoa(r.Start.Line)
		if address != "" {
			line += ", in " + address
		}
		line += ")"
	}
	return line
}

// failure says why a stage whose terraform exited with code failed: the first error it
// reported, when it reported one as terraform does.
func (o *output) failure(code int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.firstError == "" {
		return fmt.Errorf("terraform exited with code %d; the log says why", code)
	}
	first := o.firstError
	if len(first) > 500 {
		first = first[:500] + "…"
	}
	return fmt.Errorf("terraform exited with code %d: Error: %s (the log has the rest)", code, first)
}

// renderUI is the human text of a UI message: its message, and for a
// diagnostic where it points and its detail.
func renderUI(m uiMessage) string {
	var b strings.Builder
	b.WriteString(m.Message)
	b.WriteByte('\n')
	if d := m.Diagnostic; d != nil {
		if d.Range != nil && d.Range.Filename != "" {
			b.WriteString("  on " + d.Range.Filename + " line " + strconv.Itoa(d.Range.Start.Line))
			if d.Address != "" {
				b.WriteString(", in " + d.Address)
			}
			b.WriteString("\n")
		}
		if d.Detail != "" {
			b.WriteString(d.Detail)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Close passes on what is left: an unfinished last line, and what the
// Redactor held back.
func (o *output) Close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.raw) > 0 {
		o.line(o.raw)
		o.raw = nil
	}
	if d, ok := o.text.end(); ok {
		d.Step = o.textStepName()
		o.diagnose(d)
	}
	o.redactor.Flush()
	o.sink.flush()
}

// plan returns the plan JSON seen, and whether it was too large to keep.
func (o *output) plan() (planJSON []byte, tooLarge bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.planJSON, o.tooLarge
}

// lineSink appends each line written to it to a run's log.
type lineSink struct {
	hub   *Hub
	runID string
	buf   []byte
}

func (s *lineSink) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.buf = append(s.buf, p...)
			if len(s.buf) >= store.MaxRunLogLineBytes {
				s.flush() // a line without end: Hub would cut it here anyway
			}
			break
		}
		s.buf = append(s.buf, p[:i]...)
		s.hub.Append(s.runID, string(s.buf))
		s.buf = s.buf[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (s *lineSink) flush() {
	if len(s.buf) > 0 {
		s.hub.Append(s.runID, string(s.buf))
		s.buf = s.buf[:0]
	}
}
