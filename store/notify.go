package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// MaxNotifyPayloadBytes is the longest payload Notify sends: a notification
// names what changed (a run's id), it does not carry it. PostgreSQL's own
// limit is just under 8000 bytes.
const MaxNotifyPayloadBytes = 1024

const (
	// maxChannels bounds the channels one Store listens on; they are named
	// in code, never by users, so a few suffice.
	maxChannels = 32
	// listenBuffer is how many payloads a listener may leave unread before
	// the oldest is dropped for a resync.
	listenBuffer = 64
	// maxReconnectWait bounds the pause between attempts to bring the
	// listening connection back.
	maxReconnectWait = 5 * time.Second
	// connectTimeout bounds one attempt to connect for listening: Listen
	// waits for it.
	connectTimeout = 10 * time.Second
)

// ErrClosed reports a Listen on a closed Store.
var ErrClosed = errors.New("store closed")

// checkChannel accepts channel names PostgreSQL takes as identifiers
// without folding: 1-63 lowercase letters, digits and '_', starting with a
// letter.
func checkChannel(channel string) error {
	ok := len(channel) >= 1 && len(channel) <= 63 && 'a' <= channel[0] && channel[0] <= 'z'
	for i := 0; ok && i < len(channel); i++ {
		c := channel[i]
		ok = 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_'
	}
	if !ok {
		return errorf(ErrInvalidName, nil, "channel %s is not valid: use 1-63 lowercase letters, digits or '_', starting with a letter", quote(channel))
	}
	return nil
}

func checkNotification(channel, payload string) error {
	if err := checkChannel(channel); err != nil {
		return err
	}
	if len(payload) > MaxNotifyPayloadBytes {
		return errorf(ErrTooLarge, nil, "payload is %d bytes; the limit is %d", len(payload), MaxNotifyPayloadBytes)
	}
	return nil
}

// Notify tells every listener of channel, in every process using the
// database, that something named by payload changed: on PostgreSQL through
// NOTIFY, on SQLite (one process) to this Store's listeners. It is a hint,
// not a message queue: listeners read the store for what changed.
//
// An empty payload means what a resync means (see Listen): read again.
// Writes that listeners follow notify inside their own transaction, so the
// notification arrives only after the write is visible (AppendRunLog on
// RunLogChannel).
func (s *Store) Notify(ctx context.Context, channel, payload string) error {
	if err := checkNotification(channel, payload); err != nil {
		return fmt.Errorf("notifying %s: %w", quote(channel), err)
	}
	if s.notes.pg == nil {
		s.notes.deliver(channel, payload)
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `SELECT pg_notify(?, ?)`, channel, payload); err != nil {
		return fmt.Errorf("notifying %s: %w", quote(channel), err)
	}
	return nil
}

// notify is Notify as part of tx: PostgreSQL sends it at commit, and for
// SQLite tryTx delivers it once tx has committed. Nothing is sent for a
// transaction that rolls back.
func (tx *txn) notify(ctx context.Context, channel, payload string) error {
	if err := checkNotification(channel, payload); err != nil {
		return err
	}
	if tx.d.name() == "postgres" {
		_, err := tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, channel, payload)
		return err
	}
	tx.notes = append(tx.notes, notification{channel: channel, payload: payload})
	return nil
}

type notification struct{ channel, payload string }

// Listen returns the payloads Notify sends on channel from the moment
// Listen returns, in every process using the database. The channel closes
// when ctx ends or the Store closes.
//
// An empty payload is a resync: notifications may have been missed (the
// listener read too slowly and its oldest payload was dropped, or the
// connection PostgreSQL delivers them on was lost and is back), so the
// listener reads again whatever it follows. A listener that does not read
// is never waited on. What a listener follows should also be read now and
// then without a notification: a database that cannot be reached delivers
// nothing, not even the resync, until it is back.
func (s *Store) Listen(ctx context.Context, channel string) (<-chan string, error) {
	if err := checkChannel(channel); err != nil {
		return nil, fmt.Errorf("listening on %s: %w", quote(channel), err)
	}
	ch, ready, err := s.notes.add(ctx, channel)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", quote(channel), err)
	}
	if ready != nil {
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("listening on %s: %w", quote(channel), ctx.Err())
		}
	}
	return ch, nil
}

// notifier hands notifications to a Store's listeners. On PostgreSQL it
// also keeps the one connection that LISTENs for the Store.
type notifier struct {
	mu     sync.Mutex
	subs   map[string]map[*subscriber]struct{}
	closed bool
	pg     *pgListener // nil for SQLite
}

type subscriber struct {
	ch   chan string
	stop func() bool // forgets the context's AfterFunc
}

// pgListener is the state of the Store's LISTENing connection, guarded by
// the notifier's mu.
type pgListener struct {
	dsn string
	// wanted holds every channel asked for; they are never unlistened, as
	// the code names only a few.
	wanted map[string]bool
	// live holds the channels LISTENed on the current connection.
	live map[string]bool
	// waiting holds, per channel asked for and not yet live, what Listen
	// waits on: closed once the channel is live or the connection failed
	// (its listeners then get a resync when it is back).
	waiting   map[string]chan struct{}
	interrupt context.CancelFunc // ends the current wait, so new channels are LISTENed
	started   bool
	stop      context.CancelFunc
	done      chan struct{}
}

func newNotifier(pgDSN string) *notifier {
	n := &notifier{subs: map[string]map[*subscriber]struct{}{}}
	if pgDSN != "" {
		n.pg = &pgListener{dsn: pgDSN, wanted: map[string]bool{}, live: map[string]bool{},
			waiting: map[string]chan struct{}{}, done: make(chan struct{})}
	}
	return n
}

// add registers a listener of channel until ctx ends. ready, when not nil,
// is closed once the listener misses nothing.
func (n *notifier) add(ctx context.Context, channel string) (<-chan string, <-chan struct{}, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	subs := n.subs[channel]
	if subs == nil {
		if len(n.subs) >= maxChannels {
			return nil, nil, fmt.Errorf("listening on more than %d channels", maxChannels)
		}
		subs = map[*subscriber]struct{}{}
		n.subs[channel] = subs
	}
	sub := &subscriber{ch: make(chan string, listenBuffer)}
	subs[sub] = struct{}{}
	sub.stop = context.AfterFunc(ctx, func() { n.remove(channel, sub) })
	if n.pg == nil {
		return sub.ch, nil, nil
	}
	return sub.ch, n.pg.want(n, channel), nil
}

// remove ends sub, unless Close did already.
func (n *notifier) remove(channel string, sub *subscriber) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.subs[channel][sub]; !ok {
		return
	}
	delete(n.subs[channel], sub)
	if len(n.subs[channel]) == 0 && n.pg == nil {
		delete(n.subs, channel) // PostgreSQL keeps listening: see wanted
	}
	close(sub.ch)
}

// deliver hands payload to every listener of channel.
func (n *notifier) deliver(channel, payload string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for sub := range n.subs[channel] {
		sub.send(payload)
	}
}

// resyncAll tells every listener to read again; n.mu is held.
func (n *notifier) resyncAll() {
	for _, subs := range n.subs {
		for sub := range subs {
			sub.send("")
		}
	}
}

// send never blocks: when the listener has fallen listenBuffer behind, its
// oldest payload makes room for a resync, which stands for it.
func (sub *subscriber) send(payload string) {
	select {
	case sub.ch <- payload:
		return
	default:
	}
	select {
	case <-sub.ch:
	default:
	}
	// Only the notifier sends, under its mu, and the reader only takes:
	// there is room now.
	select {
	case sub.ch <- "":
	default:
	}
}

// close ends every listener and the listening connection.
func (n *notifier) close() {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.closed = true
	for channel, subs := range n.subs {
		for sub := range subs {
			sub.stop()
			close(sub.ch)
		}
		delete(n.subs, channel)
	}
	var done chan struct{}
	if l := n.pg; l != nil && l.started {
		l.stop()
		done = l.done
	}
	n.mu.Unlock()
	if done != nil {
		<-done
	}
}

// want asks for channel to be LISTENed, starting the connection if it is
// the first; n.mu is held. It returns what Listen waits on, nil when the
// channel is live already.
func (l *pgListener) want(n *notifier, channel string) <-chan struct{} {
	if l.live[channel] {
		return nil
	}
	l.wanted[channel] = true
	w := l.waiting[channel]
	if w == nil {
		w = make(chan struct{})
		l.waiting[channel] = w
	}
	if !l.started {
		l.started = true
		ctx, stop := context.WithCancel(context.Background())
		l.stop = stop
		go n.listen(ctx)
	} else if l.interrupt != nil {
		l.interrupt()
	}
	return w
}

// release lets every Listen waiting go on after the connection failed,
// and forgets what was live on it; n.mu is held.
func (l *pgListener) release() {
	for c, w := range l.waiting {
		close(w)
		delete(l.waiting, c)
	}
	clear(l.live)
}

// listen keeps one connection LISTENing on every channel wanted until ctx
// ends, connecting again when it is lost. Every listener gets a resync
// once a connection is back: what was notified meanwhile is gone.
func (n *notifier) listen(ctx context.Context) {
	defer close(n.pg.done)
	resync := false
	wait := 100 * time.Millisecond
	for {
		connected, _ := n.session(ctx, resync)
		if ctx.Err() != nil {
			return
		}
		// The error is not kept: listeners learn of the loss through the
		// resync, and their poll covers the time without a connection.
		resync = true
		if connected {
			wait = 100 * time.Millisecond
		} else {
			wait = min(2*wait, maxReconnectWait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// session connects, LISTENs and delivers until the connection fails or
// ctx ends. It reports whether it connected.
func (n *notifier) session(ctx context.Context, resync bool) (bool, error) {
	l := n.pg
	connectCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	conn, err := pgx.Connect(connectCtx, l.dsn)
	cancel()
	if err != nil {
		n.mu.Lock()
		l.release()
		n.mu.Unlock()
		return false, err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Close(closeCtx)
		n.mu.Lock()
		l.release()
		n.mu.Unlock()
	}()
	for {
		n.mu.Lock()
		var todo []string
		for c := range l.wanted {
			if !l.live[c] {
				todo = append(todo, c)
			}
		}
		n.mu.Unlock()
		for _, c := range todo {
			if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{c}.Sanitize()); err != nil {
				return true, fmt.Errorf("listening on %s: %w", quote(c), err)
			}
		}
		n.mu.Lock()
		for _, c := range todo {
			l.live[c] = true
			if w := l.waiting[c]; w != nil {
				close(w)
				delete(l.waiting, c)
			}
		}
		if resync {
			// After the LISTENs: a listener that reads again now misses
			// nothing later.
			n.resyncAll()
			resync = false
		}
		if len(l.waiting) > 0 {
			n.mu.Unlock()
			continue // asked for while the LISTENs ran
		}
		waitCtx, interrupt := context.WithCancel(ctx)
		l.interrupt = interrupt
		n.mu.Unlock()

		note, err := conn.WaitForNotification(waitCtx)
		interrupt()
		n.mu.Lock()
		l.interrupt = nil
		n.mu.Unlock()
		if note != nil {
			n.deliver(note.Channel, note.Payload)
		}
		if err != nil {
			if ctx.Err() != nil {
				return true, ctx.Err()
			}
			if waitCtx.Err() != nil && !conn.IsClosed() {
				continue // a new channel to LISTEN
			}
			return true, fmt.Errorf("waiting for notifications: %w", err)
		}
	}
}
