package web

import (
	"fmt"
	"net/http"

	"github.com/cloudoven/cloudoven/auth"
)

type accountProps struct {
	Layout  layoutProps
	User    string
	Admin   bool
	Error   string
	Changed bool
}

// showAccount answers GET /account: the signed-in user and the change-password form.
func (s *server) showAccount(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, accountProps{})
}

func (s *server) renderAccount(w http.ResponseWriter, r *http.Request, status int, p accountProps) error {
	id := identityOf(r.Context())
	p.Layout = s.layout("Account", "")
	p.User, p.Admin = id.user.Name, id.user.Admin
	return s.render(w, r, status, accountPage(p), "")
}

// changePassword answers POST /account/password. The current password is checked (and
// wrong guesses count like failed sign-ins); every other session of the user ends.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.renderAccount(w, r, formStatus(err), accountProps{Error: "The form could not be read: " + formProblem(err)})
	}
	id := identityOf(r.Context())
	key := "name:" + id.user.Name
	if wait, blocked := s.signins.Blocked(key); blocked {
		n := minutesLeft(wait)
		return s.renderAccount(w, r, http.StatusTooManyRequests, accountProps{
			Error: fmt.Sprintf("Too many wrong passwords; try again in %d %s.", n, plural(n, "minute", "minutes"))})
	}
	u, err := s.store.User(r.Context(), id.user.Name)
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
	if err := s.store.DeleteUserSessions(r.Context(), u.ID, id.tokenHash); err != nil {
		return err
	}
	s.audit(r, "user.password", "", u.Name, "changed own password; other sessions ended")
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
