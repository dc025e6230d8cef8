package account

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/store"
	"github.com/cloudoven/cloudoven/web/page"
	"github.com/cloudoven/cloudoven/web/paths"
)

type signinProps struct {
	Layout page.Layout
	Name   string
	Next   string
	Error  string
}

// showSignIn answers GET /signin; a signed-in user goes on to next.
func (s *Handlers) showSignIn(w http.ResponseWriter, r *http.Request) error {
	next := page.SafeNext(r.URL.Query().Get("next"))
	if page.IdentityOf(r.Context()) != nil {
		http.Redirect(w, r, orProjects(next), http.StatusSeeOther)
		return nil
	}
	return s.renderSignIn(w, r, http.StatusOK, signinProps{Next: next})
}

func (s *Handlers) renderSignIn(w http.ResponseWriter, r *http.Request, status int, p signinProps) error {
	p.Layout = s.frame.Layout("Sign in", "")
	w.Header().Set("Cache-Control", "no-store")
	return s.frame.Render(w, r, status, signinPage(p), "")
}

func orProjects(next string) string {
	if next == "" {
		return paths.Projects()
	}
	return next
}

// signIn answers POST /signin. Each attempt is counted as a failure before its password is
// checked (auth.Throttle): per user name and client address with growing delays, and under
// looser ceilings per user name and per address that spare addresses the user signed in
// from before. Past a limit even the right password is refused (429) until the wait is
// over; when the server is checking too many passwords at once, the attempt is not counted
// and answered 503.
func (s *Handlers) signIn(w http.ResponseWriter, r *http.Request) error {
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderSignIn(w, r, page.FormStatus(err), signinProps{Error: page.FormRefusal(err)})
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if len(name) > 63 {
		name = name[:63]
	}
	password := r.PostForm.Get("password")
	p := signinProps{Name: name, Next: page.SafeNext(r.PostForm.Get("next"))}
	ip := clientIP(r)

	attempt, refusal, err := s.signins.Begin(r.Context(), name, ip)
	if err != nil {
		return err
	}
	if refusal != nil {
		s.auditRefusal(r, name, ip, refusal)
		w.Header().Set("Retry-After", fmt.Sprint(retryAfter(refusal.Wait)))
		p.Error = "Too many failed sign-ins; try again in " + waitText(refusal.Wait) + "."
		return s.renderSignIn(w, r, http.StatusTooManyRequests, p)
	}
	u, ok, err := s.checkPassword(r, name, password)
	if err != nil {
		if cerr := s.signins.Cancel(r.Context(), attempt); cerr != nil {
			return errors.Join(err, cerr)
		}
		if errors.Is(err, auth.ErrBusy) {
			w.Header().Set("Retry-After", fmt.Sprint(busyRetryAfter))
			p.Error = busyMessage
			return s.renderSignIn(w, r, http.StatusServiceUnavailable, p)
		}
		return err
	}
	if !ok {
		s.frame.AuditAs(r, name, "signin.failure", "", name, "wrong user name or password, from "+ip)
		p.Error = "Wrong user name or password."
		return s.renderSignIn(w, r, http.StatusUnauthorized, p)
	}
	if err := s.signins.Succeeded(r.Context(), attempt); err != nil {
		return err
	}
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.frame.AuditAs(r, u.Name, "signin", "", u.Name, "from "+ip)
	page.Redirect(w, r, orProjects(p.Next))
	return nil
}

// checkPassword checks name's password within the hashing budget. An unknown name is
// checked against a dummy hash, so that it takes as long as a wrong password.
func (s *Handlers) checkPassword(r *http.Request, name, password string) (store.User, bool, error) {
	u, err := s.store.User(r.Context(), name)
	hash := u.PasswordHash
	switch {
	case errors.Is(err, store.ErrNotFound):
		hash = s.dummy.get(s.passwordParams)
	case err != nil:
		return store.User{}, false, err
	}
	ok, err := s.hasher.Verify(r.Context(), hash, password)
	if err != nil {
		return store.User{}, false, fmt.Errorf("signing in %q: %w", name, err)
	}
	return u, ok && u.ID != 0, nil
}

// busyMessage answers an attempt the hashing budget had no room for (auth.ErrBusy).
const busyMessage = "CloudOven is checking many passwords at once; try again in a few seconds."

// busyRetryAfter is the Retry-After, in seconds, of an answer with busyMessage.
const busyRetryAfter = 5

// auditRefusal records a refused sign-in: one audit row per limit and window, counting the
// refusals (a refused attempt costs the client nothing, so one row each would let anyone
// grow the log without bound). Refusals of a user name from one address share a row, as do
// those of a user name over all addresses, and those of an address over all user names.
func (s *Handlers) auditRefusal(r *http.Request, name, ip string, refusal *auth.Refusal) {
	e := store.AuditEntry{User: name, Action: "signin.refused", Target: name}
	var key string
	switch refusal.Limit {
	case auth.LimitUser:
		e.Detail = "too many failed sign-ins for this user from addresses it never signed in from"
		key = name + "\x00*"
	case auth.LimitAddress:
		e.User, e.Target = "", ""
		e.Detail = "too many failed sign-ins from " + ip + ", under several user names"
		key = "*\x00" + ip
	default:
		e.Detail = "too many failed sign-ins from " + ip
		key = name + "\x00" + ip
	}
	s.frame.AuditRepeated(r, e, key, refusalAuditWindow)
}

// startSession signs u in: a new token (never the one the browser came with, so a planted
// cookie cannot be promoted), its hash stored, the token in the cookie.
func (s *Handlers) startSession(w http.ResponseWriter, r *http.Request, u store.User) error {
	if old := page.IdentityOf(r.Context()); old != nil {
		if err := s.store.DeleteSession(r.Context(), old.TokenHash); err != nil {
			return err
		}
	}
	token, err := auth.NewToken()
	if err != nil {
		return err
	}
	now := s.now()
	if err := s.store.CreateSession(r.Context(), auth.TokenHash(token), u.ID, now, now.Add(absoluteTimeout)); err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, token, int(absoluteTimeout.Seconds())))
	return nil
}

func (s *Handlers) sessionCookie(r *http.Request, token string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secureCookies || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	}
}

// signOut answers POST /signout: the session is deleted, not just forgotten by the browser.
func (s *Handlers) signOut(w http.ResponseWriter, r *http.Request) error {
	id := page.IdentityOf(r.Context())
	if err := s.store.DeleteSession(r.Context(), id.TokenHash); err != nil {
		return err
	}
	http.SetCookie(w, s.sessionCookie(r, "", -1))
	s.frame.Audit(r, "signout", "", id.User.Name, "")
	page.Redirect(w, r, paths.SignIn(""))
	return nil
}
