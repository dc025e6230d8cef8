package web

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds the store's answer to the readiness check: a probe that waits longer
// than its own timeout counts as failed anyway, and a store this slow should not get traffic.
const readyTimeout = 2 * time.Second

// ready is the readiness check: 200 "ok" while the store answers a trivial query within
// readyTimeout, the catalog is loaded and the server is not shutting down; otherwise 503
// with a short reason that names no host, file or secret (the probe is public). Liveness
// (/healthz) asks none of this: a store that is down makes a replica unready, not dead, so
// it is taken out of the load balancer rather than restarted.
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if reason := s.notReady(r.Context()); reason != "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(reason))
		return
	}
	_, _ = w.Write([]byte("ok"))
}

// notReady says why the server should not get traffic, or "" when it should.
func (s *server) notReady(ctx context.Context) string {
	if s.shuttingDown != nil {
		select {
		case <-s.shuttingDown:
			return "shutting down"
		default:
		}
	}
	if c := s.catalog(); c == nil || len(c.Providers()) == 0 {
		return "catalog not loaded"
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		// The error itself may name the database's host or file: it goes to the log only.
		s.logger.Warn("readiness: the store does not answer", "err", err)
		if ctx.Err() != nil {
			return "store timed out"
		}
		return "store not answering"
	}
	return ""
}
