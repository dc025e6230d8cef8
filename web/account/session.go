package account

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Sessions and CSRF protection.
//
// Every request passes authenticate: it finds the session from the cookie, sends a
// signed-out visitor to the sign-in page (only /signin, /static/, /healthz and /readyz are
// open), and refuses a state-changing request that does not carry the session's CSRF token.
// Routes of a project check the user's role in it through their page.Access.
//
// The sign-in POST itself has no session and so no CSRF token; Go's cross-origin protection
// (package web wraps every route in it) refuses it when another site's page sends it, which
// is what a login-CSRF attack would need.

// SessionCookie is the name of the session cookie.
const SessionCookie = "cloudoven_session"

const (
	// idleTimeout ends a session nobody used for this long; absoluteTimeout ends any session.
	idleTimeout     = 12 * time.Hour
	absoluteTimeout = 7 * 24 * time.Hour
	// touchEvery limits the writes that keep a session alive to one a minute per session.
	touchEvery = time.Minute

	// maxCSRFPeek is how much of a form body is read to find the token when no header
	// carries it; Go's own ParseForm reads at most 10 MB.
	maxCSRFPeek = 10 << 20

	// refusalAuditWindow is how long refused sign-ins of one kind share an audit row.
	refusalAuditWindow = 15 * time.Minute
)

// authenticate puts the session's identity into the request, sends signed-out visitors to
// the sign-in page and checks the CSRF token of every state-changing request.
func (s *Handlers) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.sessionOf(w, r)
		if err != nil {
			s.frame.Fail(w, r, err)
			return
		}
		if id != nil {
			r = r.WithContext(page.WithIdentity(r.Context(), id))
		}
		switch {
		case isPublic(r):
		case id == nil:
			page.ToSignIn(w, r)
			return
		case changesState(r.Method) && !auth.Equal(requestCSRF(r), id.CSRF):
			s.csrfDenied(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isPublic reports whether a signed-out visitor may ask for r.
func isPublic(r *http.Request) bool {
	p := r.URL.Path
	return p == paths.SignIn("") || p == paths.Health() || p == paths.Ready() || strings.HasPrefix(p, "/static/")
}

func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// sessionOf finds the request's live session; nil when there is none. An expired session is
// deleted on sight.
func (s *Handlers) sessionOf(w http.ResponseWriter, r *http.Request) (*page.Identity, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, nil
	}
	hash := auth.TokenHash(c.Value)
	ses, err := s.store.Session(r.Context(), hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(ses.ExpiresAt) || now.Sub(ses.LastSeenAt) >= idleTimeout {
		if err := s.store.DeleteSession(r.Context(), hash); err != nil {
			return nil, err
		}
		return nil, nil
	}
	if now.Sub(ses.LastSeenAt) >= touchEvery {
		if err := s.store.TouchSession(r.Context(), hash, now); err != nil {
			return nil, err
		}
	}
	return &page.Identity{User: ses.User, TokenHash: hash, CSRF: auth.CSRFToken(c.Value)}, nil
}

// requestCSRF finds the CSRF token: the X-CSRF-Token header (htmx, see app.js), else the
// csrf_token field of a form body. The body is peeked at and put back as it was, so the
// handler still reads it with its own size limit and error answers.
func requestCSRF(r *http.Request) string {
	if t := r.Header.Get(page.CSRFHeader); t != "" {
		return t
	}
	if r.Body == nil || r.Body == http.NoBody {
		return ""
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var buf bytes.Buffer
	src := io.TeeReader(io.LimitReader(r.Body, maxCSRFPeek), &buf)
	token := ""
	switch mt {
	case "application/x-www-form-urlencoded":
		_, _ = io.Copy(io.Discard, src)
		// A truncated or malformed body still yields the pairs before the bad one.
		vals, _ := url.ParseQuery(buf.String())
		token = vals.Get(page.CSRFField)
	case "multipart/form-data":
		// Forms put the token first, so only the first part is read as a rule.
		mr := multipart.NewReader(src, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() == page.CSRFField {
				b, _ := io.ReadAll(io.LimitReader(part, 256))
				token = string(b)
				break
			}
		}
	default:
		return ""
	}
	r.Body = readCloser{io.MultiReader(&buf, r.Body), r.Body}
	return token
}

type readCloser struct {
	io.Reader
	io.Closer
}

// csrfDenied answers a state-changing request without the session's CSRF token.
func (s *Handlers) csrfDenied(w http.ResponseWriter, r *http.Request) {
	s.frame.Logger().Warn("request without a valid csrf token refused", "method", r.Method, "path", r.URL.Path, "user", page.SignedInUser(r.Context()))
	s.frame.ErrorPage(w, r, http.StatusForbidden, page.ErrorProps{
		Title:   "Request refused",
		Message: "This request did not carry CloudOven's security token for your session, so nothing was changed. Reload the page and try again.",
	})
}

// clientIP is the host of the connection's remote address. Behind a proxy that is the
// proxy; CloudOven does not trust X-Forwarded-For, which a client can set.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// waitText says how long d is, rounded up to whole seconds under a minute and to whole
// minutes from there: "1 second", "45 seconds", "3 minutes".
func waitText(d time.Duration) string {
	secs := retryAfter(d)
	if secs < 60 {
		return fmt.Sprintf("%d %s", secs, page.Plural(secs, "second", "seconds"))
	}
	mins := int(math.Ceil(float64(secs) / 60))
	return fmt.Sprintf("%d %s", mins, page.Plural(mins, "minute", "minutes"))
}

// retryAfter is d in whole seconds, rounded up, at least one: a Retry-After value.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// dummyHash is verified against when a user name is unknown, so a wrong name takes as long
// as a wrong password and does not reveal which names exist.
type dummyHash struct {
	once sync.Once
	hash string
}

func (d *dummyHash) get(p auth.Params) string {
	d.once.Do(func() { d.hash, _ = auth.HashPassword("no such user", p) })
	return d.hash
}
