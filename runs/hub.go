package runs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cloudoven/cloudoven/store"
)

// Line is one line of a run's log. Seq counts from 1 over the run's whole
// life (its plan and apply stages) and is what SSE sends as the event id.
type Line struct {
	Seq  int
	Text string
}

// LogStore is the persistence the Hub needs; *store.Store has it.
type LogStore interface {
	AppendRunLog(ctx context.Context, runID string, lines []store.RunLogLine) error
	RunLog(ctx context.Context, runID string, afterSeq, limit int) ([]store.RunLogLine, error)
	LastRunLogSeq(ctx context.Context, runID string) (int, error)
	SetRunLogOpen(ctx context.Context, runID string, open bool) error
	RunLogOpen(ctx context.Context, runID string) (bool, error)
	Listen(ctx context.Context, channel string) (<-chan string, error)
}

const (
	// recentLines is how many stored lines an open run keeps in memory for
	// its followers; one further behind reads from the store.
	recentLines = 2048
	// pageLines is how many lines a follower reads from the store at once.
	pageLines = 1000
	// maxBatch bounds the lines stored in one transaction.
	maxBatch = 5000
	// storeTimeout bounds one batch write.
	storeTimeout = 30 * time.Second
	// storeAttempts is how often a batch is tried before it is given up.
	storeAttempts = 5
	// remotePoll is how often a follower of a log written elsewhere reads
	// the store without being notified: notifications are lost while the
	// database connection that brings them is down.
	remotePoll = 2 * time.Second
)

// Hub stores the lines of runs' logs as they come and hands them to
// everyone following a run. Appends are stored in batches (whatever
// arrived while the previous batch was being written) and reach followers
// only once stored, so a follower that reconnects from its last seen Seq
// finds in the store everything it was shown.
//
// Followers read; they are never waited on: each one catches up at its
// own pace from the run's recent lines in memory, or from the store when
// it has fallen further behind, and a follower that stops reading holds up
// nobody but itself.
//
// A run's log is written by the Hub of the replica running its stage; a
// follower on another replica follows it from the store. The store keeps
// whether the log is open (Open sets it, Close clears it once every line
// is stored) and notifies store.RunLogChannel with the run's id when
// lines are stored or the mark changes; such a follower reads after each
// notification, and every remotePoll in case one was lost.
type Hub struct {
	store LogStore
	log   *slog.Logger

	mu   sync.Mutex
	runs map[string]*runLog // open runs
}

// NewHub returns a Hub storing logs in s. A nil logger discards.
func NewHub(s LogStore, logger *slog.Logger) *Hub {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Hub{store: s, log: logger, runs: map[string]*runLog{}}
}

// runLog is the open log of one run stage.
type runLog struct {
	id   string
	kick chan struct{} // wakes the writer; capacity 1
	done chan struct{} // closed when the writer has stored everything after close

	mu      sync.Mutex
	next    int    // Seq of the next appended line
	pending []Line // appended, not yet stored
	// settled is the last Seq the writer is done with: stored, or given up
	// after repeated store errors. Followers are handed lines up to it.
	settled int
	// recent holds the latest stored lines; every stored line with Seq >=
	// recentFrom is in it.
	recent     []Line
	recentFrom int
	changed    chan struct{} // closed and replaced whenever settled or closed moves
	closing    bool          // Close called: the writer stores what is pending and stops
	closed     bool          // the writer is done; followers end at settled
	err        error         // the last batch given up
}

// Open prepares runID's log for appends, continuing after the lines it
// already has, and marks it open in the store. Opening an open run does
// nothing. Followers of a run that is not open get its stored lines and
// then the end of the stream, so the runs package opens a run as soon as
// it is queued; a run not yet created is open by the store's default.
func (h *Hub) Open(ctx context.Context, runID string) error {
	for {
		h.mu.Lock()
		rl, ok := h.runs[runID]
		h.mu.Unlock()
		if !ok {
			break
		}
		if !rl.isClosing() {
			return nil
		}
		// The previous stage is still being stored: the new one continues
		// after its last line.
		select {
		case <-rl.done:
		case <-ctx.Done():
			return fmt.Errorf("opening the log of run %s: %w", runID, ctx.Err())
		}
		h.mu.Lock()
		if h.runs[runID] == rl {
			delete(h.runs, runID)
		}
		h.mu.Unlock()
	}
	last, err := h.store.LastRunLogSeq(ctx, runID)
	if err != nil {
		return fmt.Errorf("opening the log of run %s: %w", runID, err)
	}
	if err := h.store.SetRunLogOpen(ctx, runID, true); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("opening the log of run %s: %w", runID, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.runs[runID]; ok {
		return nil
	}
	rl := &runLog{
		id:         runID,
		kick:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		next:       last + 1,
		settled:    last,
		recentFrom: last + 1,
		changed:    make(chan struct{}),
	}
	h.runs[runID] = rl
	go h.write(rl)
	return nil
}

// Append adds a line to runID's log, opening it if needed. A line longer
// than store.MaxRunLogLineBytes becomes several; invalid UTF-8 is
// replaced. Append does not wait for the store.
func (h *Hub) Append(runID, text string) {
	text = strings.ToValidUTF8(text, "\uFFFD")
	for range 3 {
		h.mu.Lock()
		rl := h.runs[runID]
		h.mu.Unlock()
		if rl == nil || rl.isClosing() {
			if err := h.Open(context.Background(), runID); err != nil {
				h.log.Error("dropping a log line", "run", runID, "err", err)
				return
			}
			continue
		}
		rl.mu.Lock()
		if rl.closing {
			rl.mu.Unlock()
			continue
		}
		for {
			part := text
			if len(part) > store.MaxRunLogLineBytes {
				cut := store.MaxRunLogLineBytes
				for cut > 0 && !utf8.RuneStart(text[cut]) {
					cut--
				}
				part, text = text[:cut], text[cut:]
			} else {
				text = ""
			}
			rl.pending = append(rl.pending, Line{Seq: rl.next, Text: part})
			rl.next++
			if text == "" {
				break
			}
		}
		rl.mu.Unlock()
		select {
		case rl.kick <- struct{}{}:
		default:
		}
		return
	}
	h.log.Error("dropping a log line: the run's log keeps closing", "run", runID)
}

func (rl *runLog) isClosing() bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.closing
}

// Flush waits until every line appended to runID's log so far is stored
// (or given up on), without ending anyone's stream.
func (h *Hub) Flush(ctx context.Context, runID string) error {
	h.mu.Lock()
	rl, ok := h.runs[runID]
	h.mu.Unlock()
	if !ok {
		return nil
	}
	rl.mu.Lock()
	target := rl.next - 1
	for rl.settled < target && !rl.closed {
		changed := rl.changed
		rl.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("storing the log of run %s: %w", runID, ctx.Err())
		}
		rl.mu.Lock()
	}
	defer rl.mu.Unlock()
	return rl.err
}

// Close stores what is pending of runID's log, marks it closed in the
// store, then ends every follower's stream once it has had all lines. A
// later Append or Open starts a new stage of the log after the lines
// stored. It returns the error of a batch, or of the mark, that could not
// be stored, if any.
func (h *Hub) Close(ctx context.Context, runID string) error {
	h.mu.Lock()
	rl, ok := h.runs[runID]
	h.mu.Unlock()
	if !ok {
		return nil
	}
	rl.mu.Lock()
	rl.closing = true
	rl.mu.Unlock()
	select {
	case rl.kick <- struct{}{}:
	default:
	}
	select {
	case <-rl.done:
	case <-ctx.Done():
		return fmt.Errorf("closing the log of run %s: %w", runID, ctx.Err())
	}
	h.mu.Lock()
	if h.runs[runID] == rl {
		delete(h.runs, runID)
	}
	h.mu.Unlock()
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.err
}

// write is the run's one writer: it stores pending lines in batches, in
// order, and only then shows them to followers.
func (h *Hub) write(rl *runLog) {
	defer close(rl.done)
	for {
		rl.mu.Lock()
		n := min(len(rl.pending), maxBatch)
		batch := rl.pending[:n:n]
		closing := rl.closing
		rl.mu.Unlock()
		if n == 0 {
			if closing {
				// Only now: a follower elsewhere that sees the mark and
				// reads once more has every line.
				err := h.retry(func(ctx context.Context) error { return h.store.SetRunLogOpen(ctx, rl.id, false) })
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					h.log.Error("marking a run's log closed", "run", rl.id, "err", err)
				} else {
					err = nil
				}
				rl.mu.Lock()
				if rl.err == nil {
					rl.err = err
				}
				rl.closed = true
				rl.broadcast()
				rl.mu.Unlock()
				return
			}
			<-rl.kick
			continue
		}
		err := h.storeBatch(rl.id, batch)
		rl.mu.Lock()
		rl.pending = rl.pending[n:]
		rl.settled = batch[n-1].Seq
		if err != nil {
			rl.err = err
			h.log.Error("giving up on log lines", "run", rl.id, "lines", n, "err", err)
		} else {
			rl.recent = append(rl.recent, batch...)
			if over := len(rl.recent) - recentLines; over > 0 {
				rl.recent = append([]Line(nil), rl.recent[over:]...)
			}
			if len(rl.recent) > 0 {
				rl.recentFrom = rl.recent[0].Seq
			}
		}
		rl.broadcast()
		rl.mu.Unlock()
	}
}

// storeBatch writes batch, trying again a few times: a store that is busy
// for a moment must not cost log lines.
func (h *Hub) storeBatch(runID string, batch []Line) error {
	lines := make([]store.RunLogLine, len(batch))
	for i, l := range batch {
		lines[i] = store.RunLogLine{Seq: l.Seq, Text: l.Text}
	}
	return h.retry(func(ctx context.Context) error { return h.store.AppendRunLog(ctx, runID, lines) })
}

// retry runs write until it succeeds, fails for good or has been tried
// storeAttempts times.
func (h *Hub) retry(write func(ctx context.Context) error) error {
	var err error
	for attempt := range storeAttempts {
		if attempt > 0 {
			time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		err = write(ctx)
		cancel()
		if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrTooLarge) {
			return err
		}
	}
	return err
}

// broadcast wakes every follower; rl.mu is held.
func (rl *runLog) broadcast() {
	close(rl.changed)
	rl.changed = make(chan struct{})
}

// Subscribe follows runID's log: the stored lines after afterSeq, then new
// ones as they are stored, each once and in order, with no gap. The
// channel closes when the run's current stage ends (Close, on this Hub or
// another one on the same database), at once after the stored lines when
// the run's log is not open, or when ctx ends. A run that does not exist
// is store.ErrNotFound.
func (h *Hub) Subscribe(ctx context.Context, runID string, afterSeq int) (<-chan Line, error) {
	h.mu.Lock()
	rl := h.runs[runID]
	h.mu.Unlock()
	if rl == nil {
		if _, err := h.store.RunLogOpen(ctx, runID); err != nil {
			return nil, fmt.Errorf("following the log of run %s: %w", runID, err)
		}
	}
	ch := make(chan Line, 64)
	if rl == nil {
		go h.followStore(ctx, runID, max(afterSeq, 0), ch)
	} else {
		go h.follow(ctx, runID, rl, max(afterSeq, 0), ch)
	}
	return ch, nil
}

// send hands ls to a follower, false when ctx ended first.
func send(ctx context.Context, ch chan<- Line, ls []Line) bool {
	for _, l := range ls {
		select {
		case ch <- l:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// page reads the stored lines after last, false when the store failed.
func (h *Hub) page(ctx context.Context, runID string, last int) ([]Line, bool) {
	stored, err := h.store.RunLog(ctx, runID, last, pageLines)
	if err != nil {
		if ctx.Err() == nil {
			h.log.Error("reading a run's log", "run", runID, "err", err)
		}
		return nil, false
	}
	ls := make([]Line, len(stored))
	for i, l := range stored {
		ls[i] = Line{Seq: l.Seq, Text: l.Text}
	}
	return ls, true
}

// followStore follows a log this Hub is not writing: another replica's, or
// none's. It reads the store until it has every line, then waits for the
// run's notification (or a resync, or remotePoll) and reads again, until
// it has read the log marked closed and then every line once more.
func (h *Hub) followStore(ctx context.Context, runID string, last int, ch chan<- Line) {
	defer close(ch)
	// Listening before the first read: a line stored after that read is
	// notified.
	notes, err := h.store.Listen(ctx, store.RunLogChannel)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		h.log.Warn("following a run's log by polling only", "run", runID, "err", err)
	}
	closed := false
	for {
		for {
			ls, ok := h.page(ctx, runID, last)
			if !ok {
				return
			}
			if len(ls) == 0 {
				break
			}
			if !send(ctx, ch, ls) {
				return
			}
			last = ls[len(ls)-1].Seq
		}
		if closed {
			return
		}
		open, err := h.store.RunLogOpen(ctx, runID)
		if err != nil {
			if ctx.Err() == nil {
				h.log.Error("reading a run's log", "run", runID, "err", err)
			}
			return
		}
		if !open {
			// Every line was stored before the mark: one more read has
			// them all.
			closed = true
			continue
		}
		if !h.await(ctx, runID, &notes) {
			return
		}
	}
}

// await waits for a notification about runID, a resync or remotePoll;
// false when ctx ended. A closed notes (the store closed) leaves the poll.
func (h *Hub) await(ctx context.Context, runID string, notes *<-chan string) bool {
	poll := time.NewTimer(remotePoll)
	defer poll.Stop()
	for {
		select {
		case p, ok := <-*notes:
			if !ok {
				*notes = nil
				continue
			}
			if p == runID || p == "" {
				return true
			}
		case <-poll.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
}

// follow follows a log this Hub is writing, from rl's recent lines, or
// from the store when it has fallen behind them.
func (h *Hub) follow(ctx context.Context, runID string, rl *runLog, last int, ch chan<- Line) {
	defer close(ch)
	for {
		rl.mu.Lock()
		settled, closed, changed := rl.settled, rl.closed, rl.changed
		fromStore := last < settled && last+1 < rl.recentFrom
		var batch []Line
		if last < settled && !fromStore {
			for _, l := range rl.recent {
				if l.Seq > last && l.Seq <= settled {
					batch = append(batch, l)
				}
			}
		}
		rl.mu.Unlock()

		if last >= settled {
			if closed {
				return
			}
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return
			}
		}
		if fromStore {
			ls, ok := h.page(ctx, runID, last)
			if !ok {
				return
			}
			if len(ls) == 0 {
				last = settled // lines given up on are not in the store
				continue
			}
			batch = ls
		}
		if !send(ctx, ch, batch) {
			return
		}
		if len(batch) > 0 {
			last = max(last, batch[len(batch)-1].Seq)
		}
		if !fromStore {
			// Anything up to settled missing from recent was given up on.
			last = max(last, settled)
		}
	}
}
