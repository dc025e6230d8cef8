package runview

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/cloudoven/cloudoven/runs"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/components"
)

// The run log's event stream (text/event-stream):
//
//	event: line        id: <seq>, data: a line of the plan stage as HTML, ready to append to its section
//	event: apply-line  id: <seq>, data: a line of the apply stage, from the separator CloudOven writes on
//	event: state       data: the run's new state; the page fetches its status again
//	event: progress    data: the progress bar as HTML
//	event: timeline    data: the timeline's steps as HTML, when a step moved
//	event: plan-head   data: the plan's log section heading as HTML, when it changed (apply-head the apply's)
//	event: end         data: the final state; the page closes the stream (sse-close)
//
// Only line events carry an id, so Last-Event-ID is always the last line the browser has.

// The names of the events that bring a stage's log lines.
const (
	lineEvent      = "line"
	applyLineEvent = "apply-line"
)

var (
	// runStreamPoll is how often the stream looks for a new state, new progress, or (between
	// a plan and its apply, when no log is open) a new stage to follow.
	runStreamPoll = 500 * time.Millisecond
	// runStreamHeartbeat keeps proxies from closing an idle stream.
	runStreamHeartbeat = 15 * time.Second
)

// streamRunLog answers GET /projects/{project}/runs/{id}/log: the log after Last-Event-ID
// (or ?after=), then every new line as it is stored, state changes and progress, until the
// run has finished and its log is complete.
func (s *Handlers) streamRunLog(w http.ResponseWriter, r *http.Request) error {
	run, err := s.runOf(r)
	if err != nil {
		return err
	}
	if s.runs == nil {
		http.Error(w, components.RunsNotConfigured, http.StatusServiceUnavailable)
		return nil
	}
	after, ok := resumeSeq(r)
	if !ok {
		http.Error(w, "Last-Event-ID and after must be a line number.", http.StatusBadRequest)
		return nil
	}
	ctx := r.Context()
	es := &eventStream{w: w, rc: http.NewResponseController(w)}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	w.WriteHeader(http.StatusOK)
	// Tells a reconnecting browser to wait a second, and gets the headers out at once.
	es.raw("retry: 1000\n\n")
	es.flush()

	sent := store.RunState(r.URL.Query().Get("state"))
	var progress runs.Progress
	// The apply's lines go to their own section from the separator on; a stream that
	// resumes after it learns where it was.
	applyFrom := 0
	if run.ApprovedBy != "" {
		if applyFrom, err = s.store.RunLogSeqOf(ctx, run.ID, runs.ApplySeparator); err != nil {
			s.logger.Error("reading a run's log for its stream", "run", run.ID, "err", err)
			return nil
		}
	}
	sendLine := func(l runs.Line) {
		if applyFrom == 0 && l.Text == runs.ApplySeparator {
			applyFrom = l.Seq
		}
		name := lineEvent
		if applyFrom > 0 && l.Seq >= applyFrom {
			name = applyLineEvent
		}
		es.event(name, strconv.Itoa(l.Seq), logLineHTML(l))
		after = l.Seq
	}
	// What the page shows of the timeline and the log sections' heads, sent again when it
	// changes. The page was rendered before the stream connected, and the run may have
	// moved in between (a check that fails within a second): the first check sends all of
	// them, so the page never keeps heads older than its state.
	shown := map[string]string{}
	live := func(r store.Run) map[string]string {
		tl := s.timeline(ctx, r)
		parts := map[string]templ.Component{"timeline": runTimelineSteps(tl)}
		for _, stage := range []string{"plan", "apply"} {
			parts[stage+"-head"] = runLogStageHead(stageSection(r, stage, tl))
		}
		out := map[string]string{}
		for name, c := range parts {
			var b bytes.Buffer
			if err := c.Render(ctx, &b); err == nil {
				out[name] = strings.ReplaceAll(b.String(), "\n", " ")
			}
		}
		return out
	}
	// catchUp sends the stored lines after the last one sent; lines the follower brings
	// later that were sent this way are skipped (their Seq is not after).
	catchUp := func() bool {
		for {
			stored, err := s.store.RunLog(ctx, run.ID, after, 1000)
			if err != nil {
				if ctx.Err() == nil {
					s.logger.Error("reading a run's log for its stream", "run", run.ID, "err", err)
				}
				return false
			}
			if len(stored) == 0 {
				return true
			}
			for _, l := range stored {
				sendLine(runs.Line{Seq: l.Seq, Text: l.Text})
			}
		}
	}
	check := func() (store.Run, bool) {
		cur, err := s.store.Run(ctx, run.ID)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Error("reading a run for its log stream", "run", run.ID, "err", err)
			}
			return cur, false
		}
		if cur.State != sent {
			// A run's log is complete by the time its new state is visible: send what
			// the stream has not yet, so that a browser never sees the state before the
			// lines that led to it (the follower may still be on its way with them).
			if !catchUp() {
				return cur, false
			}
			sent = cur.State
			es.event("state", "", string(cur.State))
		}
		now := live(cur)
		for _, name := range []string{"timeline", "plan-head", "apply-head"} {
			if html, ok := now[name]; ok && html != shown[name] {
				shown[name] = html
				es.event(name, "", html)
			}
		}
		// As on the page: a run that ended before its stage completed shows no progress.
		if p, ok := s.runs.Progress(run.ID); ok && p != progress && (p.Complete || !cur.State.Done()) {
			progress = p
			var b bytes.Buffer
			if err := runProgress(progressProps(p)).Render(ctx, &b); err == nil {
				es.event("progress", "", strings.ReplaceAll(b.String(), "\n", " "))
			}
		}
		return cur, true
	}
	poll := time.NewTicker(runStreamPoll)
	defer poll.Stop()
	beat := time.NewTicker(runStreamHeartbeat)
	defer beat.Stop()
	final := false
	for {
		lines, err := s.runLogs.Subscribe(ctx, run.ID, after)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Error("following a run's log", "run", run.ID, "err", err)
			}
			return nil
		}
	follow:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break follow
				}
				if l.Seq <= after {
					continue // sent by catchUp
				}
				sendLine(l)
			case <-poll.C:
				if _, ok := check(); !ok {
					return nil
				}
			case <-beat.C:
				es.raw(": keep-alive\n\n")
			case <-ctx.Done():
				return nil
			}
			if len(lines) == 0 {
				es.flush()
			}
		}
		es.flush()
		cur, ok := check()
		if !ok {
			return nil
		}
		if cur.State.Done() {
			if final {
				es.event("end", "", string(cur.State))
				es.flush()
				return nil
			}
			// Follow once more after a poll: a run canceled while it waited gets its last
			// line just after its new state is visible.
			final = true
		}
		es.flush()
		select {
		case <-poll.C:
		case <-beat.C:
			es.raw(": keep-alive\n\n")
		case <-ctx.Done():
			return nil
		}
	}
}

// resumeSeq is the last line the client has: the Last-Event-ID a reconnecting EventSource
// sends, else ?after=, else none.
func resumeSeq(r *http.Request) (int, bool) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// logLineHTML is one log line as the page shows it: escaped, in its own element, with a
// newline as an entity so the event keeps to one data line.
func logLineHTML(l runs.Line) string {
	text := strings.NewReplacer("\r", "", "\n", "&#10;").Replace(html.EscapeString(l.Text))
	return `<span class="` + logLineClass(l) + `" data-testid="log-line" data-seq="` + strconv.Itoa(l.Seq) + `">` + text + "&#10;</span>"
}

// logLineClass marks the line CloudOven writes between a run's plan and apply stages.
func logLineClass(l runs.Line) string {
	if l.Text == runs.ApplySeparator {
		return "log-line log-separator"
	}
	return "log-line"
}

// eventStream writes server-sent events. Write errors are left to the request's context,
// which ends when the client goes away.
type eventStream struct {
	w  io.Writer
	rc *http.ResponseController
}

func (e *eventStream) raw(s string) { _, _ = io.WriteString(e.w, s) }

func (e *eventStream) event(name, id, data string) {
	var b strings.Builder
	if id != "" {
		b.WriteString("id: " + id + "\n")
	}
	b.WriteString("event: " + name + "\n")
	for _, l := range strings.Split(strings.ReplaceAll(data, "\r", ""), "\n") {
		b.WriteString("data: " + l + "\n")
	}
	b.WriteString("\n")
	e.raw(b.String())
}

// flush sends what is written; a writer that cannot flush still gets the events, late.
func (e *eventStream) flush() { _ = e.rc.Flush() }
