package page

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudoven/cloudoven/store"
)

// Capitalize makes an error message a sentence: a capital first letter and a full stop.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; 'a' <= c && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// QuoteName quotes a name a user typed for a message, cut to 80 bytes.
func QuoteName(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// Plural is one when n is 1, else many.
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ProblemText is the part of a store error a user can act on, as a sentence: the message
// from the store's own error on down, without the wrapping that says what the code was
// doing.
func ProblemText(err error) string {
	msg := err.Error()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, multi := e.(interface{ Unwrap() []error }); multi {
			return Capitalize(e.Error())
		}
		switch e {
		case store.ErrInvalidName, store.ErrTooLarge, store.ErrNotFound, store.ErrConflict:
			return Capitalize(msg)
		}
		msg = e.Error()
	}
	return Capitalize(msg)
}

// ByteSize says a size as the pages write it: 512 B, 3.5 KiB, 8.0 MiB.
func ByteSize(n int64) string {
	switch {
	case n < 1<<10:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	default:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
}
