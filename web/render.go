package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/a-h/templ"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/store"
)

// errNotFound answers a URL that names nothing: a path no route knows, or a version that is
// not a number. It wraps store.ErrNotFound so every 404 takes the same road.
var errNotFound = fmt.Errorf("no such page: %w", store.ErrNotFound)

// handlerFunc is a handler that returns the errors it does not answer itself: fail turns
// store.ErrNotFound into the 404 page and anything else into a logged 500.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// A route with a {project} path value that can did not wrap still checks the user's role
// in that project, so a new route is never open to everyone by mistake: viewer to read,
// editor to change anything.
func (s *server) handle(h handlerFunc) http.Handler {
	run := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("project") != "" {
			if id := identityOf(r.Context()); id == nil || id.role == "" {
				need := auth.Viewer
				if changesState(r.Method) {
					need = auth.Editor
				}
				s.can(need, run).ServeHTTP(w, r)
				return
			}
		}
		run(w, r)
	})
}

// fail is the boundary where request errors are logged. The 500 page carries a reference
// that is also in the log line, so a report can be matched without showing internals.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, errorProps{
			Title:   "Not found",
			Message: "There is nothing at " + r.URL.Path + ". It may have been renamed, or the link is wrong.",
		})
		return
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The browser went away; nobody reads an answer.
		s.logger.Debug("request canceled", "method", r.Method, "path", r.URL.Path)
		return
	}
	ref := newReference()
	s.logger.Error("handling request", "method", r.Method, "path", r.URL.Path, "ref", ref, "err", err)
	s.errorPage(w, r, http.StatusInternalServerError, errorProps{
		Title:     "Something went wrong",
		Message:   "CloudOven could not finish this request. Nothing you entered was saved by the failed step; try again in a moment.",
		Reference: ref,
	})
}

func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, p errorProps) {
	p.Layout = s.layout(p.Title, "")
	p.Status = status
	if err := s.render(w, r, status, errorPage(p), ""); err != nil {
		s.logger.Error("rendering the error page", "status", status, "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

// crossOriginDenied answers a state-changing request that another site's page sent.
func (s *server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.logger.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	s.errorPage(w, r, http.StatusForbidden, errorProps{
		Title:   "Request refused",
		Message: "This request came from another site, so CloudOven refused it. Submit the form from CloudOven's own pages.",
	})
}

// recoverPanics turns a handler panic into the 500 page instead of a dropped connection.
func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.fail(w, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}

func newReference() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// isHTMX reports whether htmx sent the request and will swap a fragment of the answer. A
// history-restore request wants the whole page although htmx sends it.
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// render writes page with status: for an htmx request only the named fragment (when one is
// given), otherwise the whole page. It renders into a buffer first, so a template error
// becomes the 500 page rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page templ.Component, fragment string) error {
	var buf bytes.Buffer
	var err error
	if fragment != "" && isHTMX(r) {
		err = templ.RenderFragments(r.Context(), &buf, page, fragment)
	} else {
		err = page.Render(r.Context(), &buf)
	}
	if err != nil {
		return fmt.Errorf("rendering %s: %w", r.URL.Path, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	// The same URL answers a fragment or a page, so caches must key on the header.
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// redirect sends the browser to url after a successful form post: htmx follows HX-Redirect
// with a full page load, a plain form follows 303 See Other with a GET.
func redirect(w http.ResponseWriter, r *http.Request, url string) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", url)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}
