package account

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/cloudoven/cloudoven/auth"
	"github.com/cloudoven/cloudoven/web/page"
)

type accountProps struct {
	Layout  page.Layout
	User    string
	Admin   bool
	Error   string
	Changed bool
}

// showAccount answers GET /account: the signed-in user and the change-password form.
func (s *Handlers) showAccount(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, accountProps{})
}

func (s *Handlers) renderAccount(w http.ResponseWriter, r *http.Request, status int, p accountProps) error {
	id := page.IdentityOf(r.Context())
	p.Layout = s.frame.Layout("Account", "")
	p.User, p.Admin = id.User.Name, id.User.Admin
	return s.frame.Render(w, r, status, accountPage(p), "")
}

// changePassword answers POST /account/password. The current password is checked (and
// counts like a sign-in attempt of the user from the request's address); the new one must
// pass auth.CheckPassword; every other session of the user ends.
func (s *Handlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderAccount(w, r, page.FormStatus(err), accountProps{Error: page.FormRefusal(err)})
	}
	id := page.IdentityOf(r.Context())
	attempt, refusal, err := s.signins.Begin(r.Context(), id.User.Name, clientIP(r))
	if err != nil {
		return err
	}
	if refusal != nil {
		w.Header().Set("Retry-After", fmt.Sprint(retryAfter(refusal.Wait)))
		return s.renderAccount(w, r, http.StatusTooManyRequests, accountProps{
			Error: "Too many wrong passwords; try again in " + waitText(refusal.Wait) + "."})
	}
	u, ok, err := s.checkPassword(r, id.User.Name, r.PostForm.Get("current"))
	if err != nil {
		if cerr := s.signins.Cancel(r.Context(), attempt); cerr != nil {
			return errors.Join(err, cerr)
		}
		if errors.Is(err, auth.ErrBusy) {
			return s.busy(w, r)
		}
		return err
	}
	if !ok {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountProps{Error: "The current password is wrong."})
	}
	if err := s.signins.Succeeded(r.Context(), attempt); err != nil {
		return err
	}
	next := r.PostForm.Get("new")
	if msg := passwordProblem("new", next, r.PostForm.Get("confirm"), u.Name); msg != "" {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountProps{Error: msg})
	}
	hash, err := s.hasher.Hash(r.Context(), next, s.passwordParams)
	if errors.Is(err, auth.ErrBusy) {
		return s.busy(w, r)
	}
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(r.Context(), u.Name, hash); err != nil {
		return err
	}
	if err := s.store.DeleteUserSessions(r.Context(), u.ID, id.TokenHash); err != nil {
		return err
	}
	s.frame.Audit(r, "user.password", "", u.Name, "changed own password; other sessions ended")
	return s.renderAccount(w, r, http.StatusOK, accountProps{Changed: true})
}

// passwordProblem says what is wrong with a new password of user (which is "new" or
// "initial", as the form calls it), or "".
func passwordProblem(which, password, confirm, user string) string {
	if err := auth.CheckPassword(password, user); err != nil {
		return "The " + which + " " + err.Error() + "."
	}
	if confirm != password {
		return "The two new passwords differ. Type the same one twice."
	}
	return ""
}

// busy answers a form whose password could not be hashed or checked because the server
// is checking too many at once (auth.ErrBusy): nothing was changed.
func (s *Handlers) busy(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Retry-After", fmt.Sprint(busyRetryAfter))
	s.frame.ErrorPage(w, r, http.StatusServiceUnavailable, page.ErrorProps{
		Title:   "Busy",
		Message: busyMessage + " Nothing was changed.",
	})
	return nil
}

// minPasswordLength is auth.MinPasswordLength for the templates.
const minPasswordLength = auth.MinPasswordLength
