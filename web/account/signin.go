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

// signIn answers POST /signin. Failures count against the user name and the client's
// address; past the limit, even the right password is refused until the window passes.
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
	keys := []string{"name:" + name, "ip:" + clientIP(r)}

	if wait, blocked := s.signins.Blocked(keys...); blocked {
		s.frame.AuditAs(r, name, "signin.refused", "", name, "too many failed sign-ins from "+clientIP(r))
		n := minutesLeft(wait)
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		p.Error = fmt.Sprintf("Too many failed sign-ins; try again in %d %s.", n, page.Plural(n, "minute", "minutes"))
		return s.renderSignIn(w, r, http.StatusTooManyRequests, p)
	}

	u, err := s.store.User(r.Context(), name)
	hash := u.PasswordHash
	switch {
	case errors.Is(err, store.ErrNotFound):
		hash = s.dummy.get(s.passwordParams)
	case err != nil:
		return err
	}
	ok, err := auth.VerifyPassword(hash, password)
	if err != nil {
		return fmt.Errorf("signing in %q: %w", name, err)
	}
	if !ok || u.ID == 0 {
		s.signins.Fail(keys...)
		s.frame.AuditAs(r, name, "signin.failure", "", name, "wrong user name or password, from "+clientIP(r))
		p.Error = "Wrong user name or password."
		return s.renderSignIn(w, r, http.StatusUnauthorized, p)
	}
	s.signins.Reset(keys[0])
	if err := s.startSession(w, r, u); err != nil {
		return err
	}
	s.frame.AuditAs(r, u.Name, "signin", "", u.Name, "from "+clientIP(r))
	page.Redirect(w, r, orProjects(p.Next))
	return nil
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
