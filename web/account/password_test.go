package account_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// weakPasswords are long enough but easy to guess: repeated, sequential, among the most
// common, a common one with digits added, or made of the user's or the product's name.
var weakPasswords = []string{
	"aaaaaaaaaa",
	"ababababab",
	"1111122222",
	"1234567890",
	"abcdefghijk",
	"9876543210",
	"qwertyuiop",
	"password123",
	"Password2024!",
	"iloveyou!!",
	"cloudoven2024",
}

func TestWeakPasswordsAreRefused(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	for _, pw := range weakPasswords {
		w := a.PostForm(paths.AdminUsers(), url.Values{"name": {"carol"}, "password": {pw}}, false)
		webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
		if got := webtest.WantOne(t, webtest.WantFullPage(t, w), "user-error"); !strings.HasPrefix(got, "The initial password ") {
			t.Errorf("creating a user with %q: %q", pw, got)
		}
	}
	if _, err := a.Store.User(t.Context(), "carol"); err == nil {
		t.Error("a user was created with a weak password")
	}
	// A password made of the user's own name is weak for that user.
	w := a.PostForm(paths.AdminUsers(), url.Values{"name": {"margaret"}, "password": {"Margaret1984"}}, false)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)

	ann := a.As("ann")
	for _, pw := range []string{"aaaaaaaaaa", "1234567890", "password123"} {
		w := ann.PostForm(paths.AccountPassword(), url.Values{"current": {webtest.Password}, "new": {pw}, "confirm": {pw}}, false)
		webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
		if got := webtest.WantOne(t, webtest.WantFullPage(t, w), "password-error"); !strings.HasPrefix(got, "The new password ") {
			t.Errorf("changing to %q: %q", pw, got)
		}
	}
	webtest.WantStatus(t, signInForm(a, "ann", webtest.Password), http.StatusSeeOther)

	// Passphrases and random passwords are fine.
	for i, pw := range []string{"correct horse battery", "Tr0ub4dor&3-unique", "vX9-kq2_Lm7pZt"} {
		w := a.PostForm(paths.AdminUsers(), url.Values{"name": {"user" + string(rune('a'+i))}, "password": {pw}}, false)
		webtest.WantStatus(t, w, http.StatusOK)
		webtest.WantOne(t, webtest.WantFullPage(t, w), "user-created")
	}
}
