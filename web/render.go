package web

import (
	"fmt"
	"net/http"

	"github.com/cloudoven/cloudoven/web/page"
)

// crossOriginDenied answers a state-changing request that another site's page sent.
func (s *server) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	s.logger.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	s.frame.ErrorPage(w, r, http.StatusForbidden, page.ErrorProps{
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
			s.frame.Fail(w, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(w, r)
	})
}
