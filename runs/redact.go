package runs

import (
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strings"
)

// Redacted replaces every secret value in a run's output.
const Redacted = "[redacted]"

// minSecretLen is the shortest value redacted: shorter ones (a region
// code, "true") would blank out ordinary output and hide nothing worth
// hiding.
const minSecretLen = 4

// Redactor is a writer that replaces every occurrence of a secret value
// with Redacted before passing the bytes on. A value split across writes,
// or spanning lines, is still replaced: bytes that could be the start of a
// secret are held back until the next write tells, or until Flush.
// Overlapping occurrences of different secrets become one Redacted.
//
// Values are matched as given and as they appear inside a JSON string
// (quotes, backslashes and control characters escaped), since terraform's
// machine-readable output is JSON. Other encodings of a value (base64,
// URL encoding, hex, a substring of it) are not recognised: a provider
// that prints a secret that way leaks it.
type Redactor struct {
	w       io.Writer
	secrets [][]byte // longest first
	buf     []byte
}

// longest is the length of the longest secret.
func (r *Redactor) longest() int {
	if len(r.secrets) == 0 {
		return 0
	}
	return len(r.secrets[0])
}

// NewRedactor returns a Redactor writing to w. Values shorter than four
// bytes are ignored.
func NewRedactor(w io.Writer, secrets []string) *Redactor {
	seen := map[string]bool{}
	var ss [][]byte
	add := func(s string) {
		if len(s) >= minSecretLen && !seen[s] {
			seen[s] = true
			ss = append(ss, []byte(s))
		}
	}
	for _, s := range secrets {
		add(s)
		if b, err := json.Marshal(s); err == nil {
			add(string(b[1 : len(b)-1]))
		}
	}
	sort.Slice(ss, func(i, j int) bool { return len(ss[i]) > len(ss[j]) })
	return &Redactor{w: w, secrets: ss}
}

// RedactString returns s with every secret value replaced, for text that
// does not stream (an error message).
func RedactString(s string, secrets []string) string {
	var b strings.Builder
	r := NewRedactor(&b, secrets)
	r.Write([]byte(s))
	r.Flush()
	return b.String()
}

// Write redacts p and writes what is certain to w. It reports len(p) on
// success.
func (r *Redactor) Write(p []byte) (int, error) {
	if len(r.secrets) == 0 {
		return r.w.Write(p)
	}
	r.buf = append(r.buf, p...)
	out, keep := r.scan(false)
	r.buf = append(r.buf[:0], r.buf[keep:]...)
	if len(out) > 0 {
		if _, err := r.w.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what is held back: the stream ended, so a partial secret
// at its end is not a secret.
func (r *Redactor) Flush() error {
	if len(r.buf) == 0 {
		return nil
	}
	out, _ := r.scan(true)
	r.buf = r.buf[:0]
	_, err := r.w.Write(out)
	return err
}

// scan returns the redacted text of r.buf[:keep]; the rest must wait for
// more input. Without final, keep stops at the first position where the
// buffer ends inside what may still become a secret, or earlier at the
// start of a redacted run that reaches past that point (a later, longer
// or overlapping match could extend it).
func (r *Redactor) scan(final bool) (out []byte, keep int) {
	buf := r.buf
	// covered[i] marks bytes inside some complete occurrence.
	covered := make([]bool, len(buf))
	for _, s := range r.secrets {
		for off := 0; ; {
			i := bytes.Index(buf[off:], s)
			if i < 0 {
				break
			}
			for j := off + i; j < off+i+len(s); j++ {
				covered[j] = true
			}
			off += i + 1
		}
	}
	hold := len(buf)
	if !final {
		// Only a tail shorter than the longest secret can be a proper prefix.
		for i := max(0, len(buf)-r.longest()+1); i < len(buf); i++ {
			if r.partial(buf[i:]) {
				hold = i
				break
			}
		}
		// Back off to the start of a covered run that crosses hold.
		if hold < len(buf) && covered[hold] {
			for hold > 0 && covered[hold-1] {
				hold--
			}
		}
	}
	out = make([]byte, 0, hold)
	for i := 0; i < hold; {
		if !covered[i] {
			out = append(out, buf[i])
			i++
			continue
		}
		out = append(out, Redacted...)
		for i < hold && covered[i] {
			i++
		}
	}
	return out, hold
}

// partial reports whether tail is a proper prefix of some secret.
func (r *Redactor) partial(tail []byte) bool {
	for _, s := range r.secrets {
		if len(tail) < len(s) && bytes.HasPrefix(s, tail) {
			return true
		}
	}
	return false
}
