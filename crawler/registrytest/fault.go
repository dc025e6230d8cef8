package registrytest

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault knobs take a path: an exact URL path ("/v2/provider-docs/123", DocsPath for every
// page of every doc list) or a prefix ending in "*" ("/v2/provider-docs/*" for every
// document). A request obeys the one rule whose path is exact, else the longest prefix.
// Rules last until Reset, except the ...Next ones, which are used up.

type mangle int

const (
	intact mangle = iota
	malformed
	truncated
	notJSON
)

type canned struct {
	status      int
	contentType string
	body        []byte
}

type fault struct {
	next       []int // statuses for the next requests, one each
	always     int   // status for every request once next is used up; 0: none
	retryAfter string
	delay      time.Duration
	delayLeft  int // requests still to delay; -1: every one
	mangle     mangle
	respond    *canned
}

// action is what one request gets, decided under the lock.
type action struct {
	status     int
	retryAfter string
	delay      time.Duration
	mangle     mangle
	respond    *canned
}

func (s *Server) rule(path string) *fault {
	f := s.faults[path]
	if f == nil {
		f = &fault{}
		s.faults[path] = f
	}
	return f
}

func (s *Server) edit(path string, fn func(*fault)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.rule(path))
}

// FailNext answers the next len(statuses) requests to path with these statuses, in order.
func (s *Server) FailNext(path string, statuses ...int) {
	s.edit(path, func(f *fault) { f.next = append(f.next, statuses...) })
}

// Fail answers every request to path with status (after any FailNext ones); 0 stops it.
func (s *Server) Fail(path string, status int) {
	s.edit(path, func(f *fault) { f.always = status })
}

// RetryAfter sends a Retry-After header with value ("2", or an HTTP date) on every failure
// that FailNext or Fail injects on path.
func (s *Server) RetryAfter(path, value string) {
	s.edit(path, func(f *fault) { f.retryAfter = value })
}

// Delay holds every request to path for d before answering (or until the client gives up).
func (s *Server) Delay(path string, d time.Duration) {
	s.edit(path, func(f *fault) { f.delay, f.delayLeft = d, -1 })
}

// DelayNext holds the next n requests to path for d each.
func (s *Server) DelayNext(path string, n int, d time.Duration) {
	s.edit(path, func(f *fault) { f.delay, f.delayLeft = d, n })
}

// Malformed answers requests to path with a 200 whose JSON body is broken in the middle.
func (s *Server) Malformed(path string) {
	s.edit(path, func(f *fault) { f.mangle = malformed })
}

// Truncate answers requests to path with the first half of the real body (and a
// Content-Length that matches it, as a proxy that cut the body would).
func (s *Server) Truncate(path string) {
	s.edit(path, func(f *fault) { f.mangle = truncated })
}

// NotJSON answers requests to path with a 200 HTML page, as a captive portal or a
// misconfigured proxy would.
func (s *Server) NotJSON(path string) {
	s.edit(path, func(f *fault) { f.mangle = notJSON })
}

// Respond answers every request to path with this status, content type and body.
func (s *Server) Respond(path string, status int, contentType string, body []byte) {
	s.edit(path, func(f *fault) {
		f.respond = &canned{status: status, contentType: contentType, body: bytes.Clone(body)}
	})
}

// Reset removes every rule for path.
func (s *Server) Reset(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults, path)
}

// OnRequest calls fn for every request as it arrives, before any fault applies; nil stops
// it. fn runs on the server's goroutines, concurrently.
func (s *Server) OnRequest(fn func(*http.Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onRequest = fn
}

// Requests counts the requests that arrived for path (exact, or a prefix ending in "*").
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prefix, ok := strings.CutSuffix(path, "*"); ok {
		n := 0
		for p, c := range s.requests {
			if strings.HasPrefix(p, prefix) {
				n += c
			}
		}
		return n
	}
	return s.requests[path]
}

// TotalRequests counts every request that arrived.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.history)
}

// History lists the request URIs (path and query) in the order they arrived.
func (s *Server) History() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.history...)
}

// match returns the rule for path: exact, else the longest matching prefix rule.
func (s *Server) match(path string) *fault {
	if f := s.faults[path]; f != nil {
		return f
	}
	var best *fault
	bestLen := -1
	for p, f := range s.faults {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(path, prefix) && len(prefix) > bestLen {
			best, bestLen = f, len(prefix)
		}
	}
	return best
}

func (s *Server) take(path string) action {
	f := s.match(path)
	if f == nil {
		return action{}
	}
	a := action{retryAfter: f.retryAfter, mangle: f.mangle, respond: f.respond}
	if f.delayLeft != 0 {
		a.delay = f.delay
		if f.delayLeft > 0 {
			f.delayLeft--
		}
	}
	if len(f.next) > 0 {
		a.status, f.next = f.next[0], f.next[1:]
	} else {
		a.status = f.always
	}
	return a
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	s.history = append(s.history, r.URL.RequestURI())
	hook := s.onRequest
	a := s.take(r.URL.Path)
	s.mu.Unlock()

	if hook != nil {
		hook(r)
	}
	if a.delay > 0 {
		timer := time.NewTimer(a.delay)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}
	if a.status != 0 {
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		writeError(w, a.status, "injected by registrytest")
		return
	}
	if a.respond != nil {
		w.Header().Set("Content-Type", a.respond.contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(a.respond.body)))
		w.WriteHeader(a.respond.status)
		w.Write(a.respond.body)
		return
	}
	if a.mangle == intact {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	body := rec.body.Bytes()
	switch a.mangle {
	case malformed:
		// Complete but not JSON: the first key's colon becomes a semicolon, so a decoder
		// fails on a syntax error, not on an early end.
		if i := bytes.IndexByte(body, ':'); i >= 0 {
			body = bytes.Clone(body)
			body[i] = ';'
		} else {
			body = []byte(`{"data";null}`)
		}
	case truncated:
		body = body[:len(body)/2]
	case notJSON:
		rec.header.Set("Content-Type", "text/html; charset=utf-8")
		body = []byte("<!doctype html><html><body><h1>Please sign in to the network</h1></body></html>\n")
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.status)
	w.Write(body)
}

// recorder captures a handler's answer so a fault can change it before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
