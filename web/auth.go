package web

import (
	"bytes"
	"context"
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
)

// Sign-in, sessions, roles and CSRF protection.
//
// Every request passes authenticate: it finds the session from the cookie, sends a
// signed-out visitor to the sign-in page (only /signin, /static/ and /healthz are open), and
// refuses a state-changing request that does not carry the session's CSRF token. Routes of a
// project go through can, which checks the user's role in it.
//
// The sign-in POST itself has no session and so no CSRF token; Go's cross-origin protection
// (routes.go) refuses it when another site's page sends it, which is what a login-CSRF
// attack would need.

const (
	sessionCookie = "cloudoven_session"
	// idleTimeout ends a session nobody used for this long; absoluteTimeout ends any session.
	idleTimeout     = 12 * time.Hour
	absoluteTimeout = 7 * 24 * time.Hour
	// touchEvery limits the writes that keep a session alive to one a minute per session.
	touchEvery = time.Minute

	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
	// maxCSRFPeek is how much of a form body is read to find the token when no header
	// carries it; Go's own ParseForm reads at most 10 MB.
	maxCSRFPeek = 10 << 20

	// Failed sign-ins: after signinMaxFailures within signinWindow, per user name and per
	// client address, sign-in is refused until the window passes.
	signinMaxFailures = 5
	signinWindow      = 15 * time.Minute
)

// identity is the signed-in user of a request, and their role in the request's project once
// can has checked it.
type identity struct {
	user      store.User
	tokenHash string
	csrf      string
	role      auth.Role
}

type identityKey struct{}

func identityOf(ctx context.Context) *identity {
	id, _ := ctx.Value(identityKey{}).(*identity)
	return id
}

func withIdentity(ctx context.Context, id *identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// signedInUser is the name of the signed-in user, or "" (for templates).
func signedInUser(ctx context.Context) string {
	if id := identityOf(ctx); id != nil {
		return id.user.Name
	}
	return ""
}

// isGlobalAdmin reports whether the signed-in user is a global admin (for templates).
func isGlobalAdmin(ctx context.Context) bool {
	id := identityOf(ctx)
	return id != nil && id.user.Admin
}

// csrfToken is the session's CSRF token, for the layout's meta tag and csrfInput.
func csrfToken(ctx context.Context) string {
	if id := identityOf(ctx); id != nil {
		return id.csrf
	}
	return ""
}

// projectRoleAllows reports whether the signed-in user's role in the request's project
// allows need (for templates that hide what the user may not do).
func projectRoleAllows(ctx context.Context, need auth.Role) bool {
	id := identityOf(ctx)
	return id != nil && id.role.Allows(need)
}

// authenticate puts the session's identity into the request, sends signed-out visitors to
// the sign-in page and checks the CSRF token of every state-changing request.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.sessionOf(w, r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if id != nil {
			r = r.WithContext(withIdentity(r.Context(), id))
		}
		switch {
		case isPublic(r):
		case id == nil:
			s.toSignIn(w, r)
			return
		case changesState(r.Method) && !auth.Equal(requestCSRF(r), id.csrf):
			s.csrfDenied(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// isPublic reports whether a signed-out visitor may ask for r.
func isPublic(r *http.Request) bool {
	p := r.URL.Path
	return p == signinPath("") || p == healthPath() || strings.HasPrefix(p, "/static/")
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
func (s *server) sessionOf(w http.ResponseWriter, r *http.Request) (*identity, error) {
	c, err := r.Cookie(sessionCookie)
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
	return &identity{user: ses.User, tokenHash: hash, csrf: auth.CSRFToken(c.Value)}, nil
}

// toSignIn sends a signed-out visitor to the sign-in page, to come back to the page asked
// for: a redirect for a page, HX-Redirect with 401 for htmx (which would otherwise swap the
// sign-in page into a fragment).
func (s *server) toSignIn(w http.ResponseWriter, r *http.Request) {
	next := ""
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next = r.URL.RequestURI()
	}
	if r.Header.Get("HX-Request") == "true" {
		if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil {
			next = u.RequestURI()
		}
		w.Header().Set("HX-Redirect", signinPath(safeNext(next)))
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, signinPath(safeNext(next)), http.StatusSeeOther)
}

// safeNext returns next when it is a path on this site (not //host or a URL with a
// scheme), else "".
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Path == signinPath("") {
		return ""
	}
	return next
}

// requestCSRF finds the CSRF token: the X-CSRF-Token header (htmx, see app.js), else the
// csrf_token field of a form body. The body is peeked at and put back as it was, so the
// handler still reads it with its own size limit and error answers.
func requestCSRF(r *http.Request) string {
	if t := r.Header.Get(csrfHeader); t != "" {
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
		token = vals.Get(csrfField)
	case "multipart/form-data":
		// Forms put the token first, so only the first part is read as a rule.
		mr := multipart.NewReader(src, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() == csrfField {
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
func (s *server) csrfDenied(w http.ResponseWriter, r *http.Request) {
	s.logger.Warn("request without a valid csrf token refused", "method", r.Method, "path", r.URL.Path, "user", signedInUser(r.Context()))
	s.errorPage(w, r, http.StatusForbidden, errorProps{
		Title:   "Request refused",
		Message: "This request did not carry CloudOven's security token for your session, so nothing was changed. Reload the page and try again.",
	})
}

// can lets the request through when the signed-in user has at least role in the project
// named by the {project} path value. A project the user is not a member of answers 404, as
// a missing one does, so project names do not leak; too low a role answers 403. Global
// admins have every role in every project.
func (s *server) can(role auth.Role, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := identityOf(r.Context())
		if id == nil {
			s.toSignIn(w, r)
			return
		}
		project := r.PathValue("project")
		have := auth.Admin
		if !id.user.Admin {
			name, err := s.store.MemberRole(r.Context(), project, id.user.Name)
			if err != nil {
				s.fail(w, r, err) // ErrNotFound: the 404 page
				return
			}
			have = auth.Role(name)
		}
		if !have.Allows(role) {
			s.errorPage(w, r, http.StatusForbidden, errorProps{
				Title: "Not allowed",
				Message: fmt.Sprintf("You need the %s role in project %s for this; you have the %s role. A project admin can change it.",
					role, project, have),
			})
			return
		}
		withRole := *id
		withRole.role = have
		h.ServeHTTP(w, r.WithContext(withIdentity(r.Context(), &withRole)))
	})
}

// globalAdmin lets only global admins through.
func (s *server) globalAdmin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isGlobalAdmin(r.Context()) {
			s.errorPage(w, r, http.StatusForbidden, errorProps{
				Title:   "Not allowed",
				Message: "Only a global admin may do this. Ask one of CloudOven's admins.",
			})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// audit records an action of the signed-in user. The action has happened by then, so a
// failure to record it is logged rather than answered.
func (s *server) audit(r *http.Request, action, project, target, detail string) {
	s.auditAs(r, signedInUser(r.Context()), action, project, target, detail)
}

func (s *server) auditAs(r *http.Request, user, action, project, target, detail string) {
	err := s.store.RecordAudit(r.Context(), store.AuditEntry{At: s.now(), User: user, Action: action, Project: project, Target: target, Detail: detail})
	if err != nil {
		s.logger.Error("recording the audit log", "action", action, "user", user, "err", err)
	}
}

// audited records action after h answered a successful form post (a status below 400):
// for handlers that do not record it themselves. The target is the {blueprint} path value,
// or the posted name; a version in the redirect becomes the detail.
func (s *server) audited(action string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if sw.status >= 400 {
			return
		}
		target := r.PathValue("blueprint")
		for _, v := range []string{"environment", "id"} {
			if target == "" {
				target = r.PathValue(v)
			}
		}
		detail := ""
		if r.PostForm != nil {
			if name := strings.TrimSpace(r.PostForm.Get("name")); target == "" {
				target = name
			} else if name != "" {
				detail = name // a secret's name, never its value
			}
		}
		if name := r.PathValue("name"); name != "" {
			detail = name
		}
		loc := w.Header().Get("Location")
		if loc == "" {
			loc = w.Header().Get("HX-Redirect")
		}
		if u, err := url.Parse(loc); err == nil && u.Query().Get("version") != "" && detail == "" {
			detail = "version " + u.Query().Get("version")
		}
		s.audit(r, action, r.PathValue("project"), target, detail)
	})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clientIP is the host of the connection's remote address. Behind a proxy that is the
// proxy; CloudOven does not trust X-Forwarded-For, which a client can set.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// minutesLeft rounds a wait up to whole minutes, at least one.
func minutesLeft(d time.Duration) int {
	return max(1, int(math.Ceil(d.Minutes())))
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
