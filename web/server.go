package web

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Timeouts bound how long a client may take over a request, so that a slow (or slowloris)
// client cannot hold a connection and a handler for as long as it likes.
type Timeouts struct {
	// Header is how long a client has to send a request's headers.
	Header time.Duration
	// Body is how long a client has to send a request's body, counted from its headers;
	// every BodyMinRate bytes that arrive add a second, so a large upload at a reasonable
	// speed is never cut off while a trickle is.
	Body        time.Duration
	BodyMinRate int64
	// Idle is how long a kept-alive connection may wait for its next request.
	Idle time.Duration
}

// DefaultTimeouts are cloudoven serve's: 10 s for headers, 20 s for a body plus a second
// for every 16 KiB it brings (a 5 MiB import needs 16 KiB/s), 2 minutes idle.
var DefaultTimeouts = Timeouts{Header: 10 * time.Second, Body: 20 * time.Second, BodyMinRate: 16 << 10, Idle: 2 * time.Minute}

// NewHTTPServer returns the server for h (the interface, and whatever is mounted beside
// it) with t's timeouts and errors logged to errorLog.
//
// It sets no ReadTimeout: that one deadline covers a request's headers and body together
// whatever the body's size, so it would either cut off large uploads (an import, a state
// Terraform posts) on a slow link or let a trickle run long. A body gets a deadline of its
// own instead, set when its handler starts and moved as the body arrives. Nor does it set a
// WriteTimeout, which would end every run log stream (server-sent events that last as long
// as a run). Once a body has been read, net/http lifts the read deadline to watch the
// connection in the background, so a handler that then answers for long (the run log
// stream, a download) keeps its request's context.
func NewHTTPServer(h http.Handler, t Timeouts, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           bodyDeadline(h, t),
		ReadHeaderTimeout: t.Header,
		IdleTimeout:       t.Idle,
		ErrorLog:          errorLog,
	}
}

// bodyDeadline gives a request with a body until t.Body, extended by the rate of what
// arrives, to send it; a request without one (a GET, an event stream) is not touched.
func bodyDeadline(next http.Handler, t Timeouts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || t.Body <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		b := &deadlineBody{ReadCloser: r.Body, rc: rc, deadline: time.Now().Add(t.Body), rate: t.BodyMinRate}
		if err := rc.SetReadDeadline(b.deadline); err != nil {
			next.ServeHTTP(w, r) // a writer without deadlines (a test's recorder)
			return
		}
		r.Body = b
		tw := &trackingWriter{ResponseWriter: w}
		next.ServeHTTP(tw, r)
		if b.timedOut && !tw.wrote {
			// net/http took the read error for a client gone and canceled the request's
			// context, so the handler answered nothing; the client may still be listening.
			http.Error(w, "The request body did not arrive in time.", http.StatusRequestTimeout)
		}
	})
}

// trackingWriter notes whether the handler answered.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *trackingWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *trackingWriter) Write(p []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// deadlineBody moves the connection's read deadline as its body arrives.
type deadlineBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	deadline time.Time
	rate     int64
	done     bool
	timedOut bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case b.done:
	case err != nil:
		// At the body's end net/http lifts the deadline itself. Past the deadline it stays,
		// so that net/http, which reads what is left of a small body before it answers,
		// gives up at once too.
		b.done = true
		var ne net.Error
		b.timedOut = errors.As(err, &ne) && ne.Timeout()
	case n > 0 && b.rate > 0:
		b.deadline = b.deadline.Add(time.Duration(n) * time.Second / time.Duration(b.rate))
		_ = b.rc.SetReadDeadline(b.deadline)
	}
	return n, err
}
