package page

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/cloudoven/cloudoven/store"
)

// ErrNotFound answers a URL that names nothing: a path no route knows, or a version that is
// not a number. It wraps store.ErrNotFound so every 404 takes the same road.
var ErrNotFound = fmt.Errorf("no such page: %w", store.ErrNotFound)

// HandlerFunc is a handler that returns the errors it does not answer itself: Fail turns
// store.ErrNotFound into the 404 page and anything else into a logged 500.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Fail is the boundary where request errors are logged. The 500 page carries a reference
// that is also in the log line, so a report can be matched without showing internals.
func (f *Frame) Fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		f.ErrorPage(w, r, http.StatusNotFound, ErrorProps{
			Title:   "Not found",
			Message: "There is nothing at " + r.URL.Path + ". It may have been renamed, or the link is wrong.",
		})
		return
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The browser went away; nobody reads an answer.
		f.logger.Debug("request canceled", "method", r.Method, "path", r.URL.Path)
		return
	}
	ref := newReference()
	f.logger.Error("handling request", "method", r.Method, "path", r.URL.Path, "ref", ref, "err", err)
	f.ErrorPage(w, r, http.StatusInternalServerError, ErrorProps{
		Title:     "Something went wrong",
		Message:   "CloudOven could not finish this request. Nothing you entered was saved by the failed step; try again in a moment.",
		Reference: ref,
	})
}

// ErrorPage answers with the error page: p's title and message, with status.
func (f *Frame) ErrorPage(w http.ResponseWriter, r *http.Request, status int, p ErrorProps) {
	p.Layout = f.Layout(p.Title, "")
	p.Status = status
	if err := f.Render(w, r, status, ErrorPage(p), ""); err != nil {
		f.logger.Error("rendering the error page", "status", status, "err", err)
		http.Error(w, http.StatusText(status), status)
	}
}

func newReference() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// IsHTMX reports whether htmx sent the request and will swap a fragment of the answer. A
// history-restore request wants the whole page although htmx sends it.
func IsHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

// Render writes page with status: for an htmx request only the named fragment (when one is
// given), otherwise the whole page. It renders into a buffer first, so a template error
// becomes the 500 page rather than half a page.
func (f *Frame) Render(w http.ResponseWriter, r *http.Request, status int, page templ.Component, fragment string) error {
	var buf bytes.Buffer
	var err error
	if fragment != "" && IsHTMX(r) {
		err = templ.RenderFragments(r.Context(), &buf, page, fragment)
	} else {
		err = page.Render(r.Context(), &buf)
	}
	if err != nil {
		return fmt.Errorf("rendering %s: %w", r.URL.Path, err)
	}
	writeHTML(w, status, buf.Bytes())
	return nil
}

// writeHTML writes rendered HTML with status, uncached: the same URL answers a fragment or a
// page, so caches must key on HX-Request.
func writeHTML(w http.ResponseWriter, status int, html []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "HX-Request")
	w.WriteHeader(status)
	_, _ = w.Write(html)
}

// Redirect sends the browser to url after a successful form post: htmx follows HX-Redirect
// with a full page load, a plain form follows 303 See Other with a GET.
func Redirect(w http.ResponseWriter, r *http.Request, url string) {
	if IsHTMX(r) {
		w.Header().Set("HX-Redirect", url)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// Attach answers with body as a download named filename.
func Attach(w http.ResponseWriter, contentType, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
