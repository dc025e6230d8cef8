package page

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
)

// MaxFormBytes bounds an ordinary form: names, a few settings, a password.
const MaxFormBytes = 64 << 10

// ParseForm reads the request's form, its body at most limit bytes, into r.PostForm (and
// r.Form): a URL-encoded form, or a multipart one (with its files in r.MultipartForm, held
// in memory since the body is capped already). On failure FormStatus and FormProblem say
// what to answer: 413 for a body over the limit, 400 for one that is not a form.
func ParseForm(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		return r.ParseMultipartForm(limit)
	}
	return r.ParseForm()
}

// FormStatus is the status that answers a ParseForm or ParseMultipartForm error.
func FormStatus(err error) int {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// FormProblem says why a form could not be read, to follow "The form could not be read: ".
func FormProblem(err error) string {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return fmt.Sprintf("it is larger than %d KiB.", tooBig.Limit>>10)
	}
	return "it is not a valid form submission."
}

// FormRefusal is the whole sentence a page shows for a form it could not read.
func FormRefusal(err error) string { return "The form could not be read: " + FormProblem(err) }
