package account

import (
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
// wrong guesses count like failed sign-ins); every other session of the user ends.
func (s *Handlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := page.ParseForm(w, r, page.MaxFormBytes); err != nil {
		return s.renderAccount(w, r, page.FormStatus(err), accountProps{Error: page.FormRefusal(err)})
	}
	id := page.IdentityOf(r.Context())
	key := "name:" + id.User.Name
	if wait, blocked := s.signins.Blocked(key); blocked {
		n := minutesLeft(wait)
		return s.renderAccount(w, r, http.StatusTooManyRequests, accountProps{
			Error: fmt.Sprintf("Too many wrong passwords; try again in %d %s.", n, page.Plural(n, "minute", "minutes"))})
	}
	u, err := s.store.User(r.Context(), id.User.Name)
	if err != nil {
		return err
	}
	ok, err := auth.VerifyPassword(u.PasswordHash, r.PostForm.Get("current"))
	if err != nil {
		return err
	}
	if !ok {
		s.signins.Fail(key)
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountProps{Error: "The current password is wrong."})
	}
	next := r.PostForm.Get("new")
	if msg := passwordProblem(next, r.PostForm.Get("confirm")); msg != "" {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountProps{Error: msg})
	}
	hash, err := auth.HashPassword(next, s.passwordParams)
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

// passwordProblem says what is wrong with a new password, or "".
func passwordProblem(password, confirm string) string {
	switch {
	case len(password) < auth.MinPasswordLength:
		return fmt.Sprintf("The new password is too short: use at least %d characters.", auth.MinPasswordLength)
	case len(password) > 1024:
		return "The new password is too long: use at most 1024 characters."
	case confirm != password:
		return "The two new passwords differ. Type the same one twice."
	}
	return ""
}

// minPasswordLength is auth.MinPasswordLength for the templates.
const minPasswordLength = auth.MinPasswordLength
