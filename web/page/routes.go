package page

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/paths"
)

// Access says who may use a route, and which action the audit log records when a form post
// to it succeeds. Every route states one; Router.Handle refuses a route of a project
// ({project} in its pattern) whose access is not a role in that project, and a project role
// on a route without a project, so no route is open to everyone by mistake.
type Access struct {
	kind  accessKind
	role  auth.Role
	audit string
}

type accessKind int

const (
	accessPublic accessKind = iota + 1
	accessSignedIn
	accessGlobalAdmin
	accessProject
)

// Public routes answer signed-out visitors too. Which paths are public is decided before any
// route, by the session check of package account; a Public route only says so here.
var Public = Access{kind: accessPublic}

// SignedIn routes answer any signed-in user.
var SignedIn = Access{kind: accessSignedIn}

// GlobalAdmin routes answer global admins only (403 for anyone else).
var GlobalAdmin = Access{kind: accessGlobalAdmin}

// Viewer, Editor, Operator and Admin are the roles in the route's project: a project the
// user is not a member of answers 404, as a missing one does, so project names do not leak;
// too low a role answers 403. Global admins have every role in every project.
var (
	Viewer   = Role(auth.Viewer)
	Editor   = Role(auth.Editor)
	Operator = Role(auth.Operator)
	Admin    = Role(auth.Admin)
)

// Role is access for users with at least role in the route's project.
func Role(role auth.Role) Access { return Access{kind: accessProject, role: role} }

// Audited is a with action recorded in the audit log after each successful form post (a
// status below 400). The target is the route's {blueprint}, {environment} or {id}, or the
// posted name; a version in the redirect, or the {name} path value, becomes the detail.
func (a Access) Audited(action string) Access {
	a.audit = action
	return a
}

// Router registers a feature's routes on the interface's mux, each behind its Access and
// with its errors answered by the Frame.
type Router struct {
	mux   *http.ServeMux
	frame *Frame
}

// Router returns a Router that registers on mux.
func (f *Frame) Router(mux *http.ServeMux) Router { return Router{mux: mux, frame: f} }

// Handle registers h for pattern (a net/http pattern with its method) behind a. It panics
// when a does not fit the pattern: a programming error that the route tests find at once.
func (rt Router) Handle(pattern string, a Access, h HandlerFunc) {
	rt.HandleHTTP(pattern, a, rt.frame.Handler(h))
}

// HandleHTTP is Handle for a plain http.Handler (static files, event streams that answer
// their own errors).
func (rt Router) HandleHTTP(pattern string, a Access, h http.Handler) {
	inProject := strings.Contains(pattern, "{project}")
	switch {
	case a.kind == 0:
		panic("page: route " + pattern + " states no access")
	case inProject && a.kind != accessProject:
		panic("page: route " + pattern + " is in a project but its access is not a project role")
	case !inProject && a.kind == accessProject:
		panic("page: route " + pattern + " needs a project role but names no {project}")
	}
	f := rt.frame
	if a.audit != "" {
		h = f.audited(a.audit, h)
	}
	switch a.kind {
	case accessProject:
		h = f.can(a.role, h)
	case accessGlobalAdmin:
		h = f.globalAdmin(h)
	}
	rt.mux.Handle(pattern, h)
}

// Handler answers with h, turning the error h returns into the error page.
func (f *Frame) Handler(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			f.Fail(w, r, err)
		}
	})
}

// can lets the request through when the signed-in user has at least role in the project
// named by the {project} path value.
func (f *Frame) can(role auth.Role, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := IdentityOf(r.Context())
		if id == nil {
			ToSignIn(w, r)
			return
		}
		project := r.PathValue("project")
		have := auth.Admin
		if !id.User.Admin {
			name, err := f.store.MemberRole(r.Context(), project, id.User.Name)
			if err != nil {
				f.Fail(w, r, err) // ErrNotFound: the 404 page
				return
			}
			have = auth.Role(name)
		}
		if !have.Allows(role) {
			f.ErrorPage(w, r, http.StatusForbidden, ErrorProps{
				Title: "Not allowed",
				Message: fmt.Sprintf("You need the %s role in project %s for this; you have the %s role. A project admin can change it.",
					role, project, have),
			})
			return
		}
		withRole := *id
		withRole.Role = have
		h.ServeHTTP(w, r.WithContext(WithIdentity(r.Context(), &withRole)))
	})
}

// globalAdmin lets only global admins through.
func (f *Frame) globalAdmin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !IsGlobalAdmin(r.Context()) {
			f.ErrorPage(w, r, http.StatusForbidden, ErrorProps{
				Title:   "Not allowed",
				Message: "Only a global admin may do this. Ask one of CloudOven's admins.",
			})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ToSignIn sends a signed-out visitor to the sign-in page, to come back to the page asked
// for: a redirect for a page, HX-Redirect with 401 for htmx (which would otherwise swap the
// sign-in page into a fragment).
func ToSignIn(w http.ResponseWriter, r *http.Request) {
	next := ""
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next = r.URL.RequestURI()
	}
	if r.Header.Get("HX-Request") == "true" {
		if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil {
			next = u.RequestURI()
		}
		w.Header().Set("HX-Redirect", paths.SignIn(SafeNext(next)))
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, paths.SignIn(SafeNext(next)), http.StatusSeeOther)
}

// SafeNext returns next when it is a path on this site (not //host or a URL with a
// scheme), else "".
func SafeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Path == paths.SignIn("") {
		return ""
	}
	return next
}

// Audit records an action of the signed-in user. The action has happened by then, so a
// failure to record it is logged rather than answered.
func (f *Frame) Audit(r *http.Request, action, project, target, detail string) {
	f.AuditAs(r, SignedInUser(r.Context()), action, project, target, detail)
}

// AuditAs is Audit for a user who is not (or not yet) signed in: a sign-in attempt.
func (f *Frame) AuditAs(r *http.Request, user, action, project, target, detail string) {
	err := f.store.RecordAudit(r.Context(), store.AuditEntry{At: f.now(), User: user, Action: action, Project: project, Target: target, Detail: detail})
	if err != nil {
		f.logger.Error("recording the audit log", "action", action, "user", user, "err", err)
	}
}

// AuditRepeated records an event that may repeat without bound (a refused sign-in): one
// row per key and window, counting the repeats (store.RecordRepeatedAudit). The key is
// kept apart per action.
func (f *Frame) AuditRepeated(r *http.Request, e store.AuditEntry, key string, window time.Duration) {
	e.At = f.now()
	if err := f.store.RecordRepeatedAudit(r.Context(), e, e.Action+"\x00"+key, window); err != nil {
		f.logger.Error("recording the audit log", "action", e.Action, "user", e.User, "err", err)
	}
}

// audited records action after h answered a successful form post (a status below 400).
func (f *Frame) audited(action string, h http.Handler) http.Handler {
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
		f.Audit(r, action, r.PathValue("project"), target, detail)
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
