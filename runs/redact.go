package runs

import (
	"bytes"
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
// Values are matched as given and in the encodings a configuration or a
// provider prints them in (see encodings): JSON-escaped once and twice,
// base64 in both alphabets with and without padding, also inside a longer
// base64 string, URL-encoded, and hex. Other transformations (a substring
// of a value, a hash, a value split by the printer) are not recognised.
//
// Every value brings a score of encodings, so the scan does not search for
// each in turn: it visits each position once and tries only the values that
// start with the two bytes found there (byPair), which ordinary output
// seldom holds.
type Redactor struct {
	w       io.Writer
	secrets [][]byte // longest first
	first   [256]bool
	pairs   [1 << 16 / 8]byte // bit set of the secrets' first two bytes
	byPair  map[uint16][]int  // indexes into secrets, by their first two bytes
	buf     []byte
}

func pairOf(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

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
	r := &Redactor{w: w}
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		for _, e := range encodings(s) {
			if len(e) >= minSecretLen && !seen[e] {
				seen[e] = true
				r.secrets = append(r.secrets, []byte(e))
				r.first[e[0]] = true
			}
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	r.byPair = map[uint16][]int{}
	for i, s := range r.secrets {
		p := pairOf(s)
		r.pairs[p/8] |= 1 << (p % 8)
		r.byPair[p] = append(r.byPair[p], i)
	}
	return r
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
	end := 0 // covered[:end] is marked as far as the occurrences found so far reach
	for i := 0; i+1 < len(buf); i++ {
		p := pairOf(buf[i:])
		if r.pairs[p/8]&(1<<(p%8)) == 0 {
			continue
		}
		for _, k := range r.byPair[p] {
			s := r.secrets[k]
			if bytes.HasPrefix(buf[i:], s) {
				for j := max(i, end); j < i+len(s); j++ {
					covered[j] = true
				}
				end = max(end, i+len(s))
			}
		}
	}
	hold := len(buf)
	if !final {
		// Only a tail shorter than the longest secret can be a proper prefix.
		for i := max(0, len(buf)-r.longest()+1); i < len(buf); i++ {
			if r.first[buf[i]] && r.partial(buf[i:]) {
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
	if len(tail) == 1 {
		return r.first[tail[0]] // every secret is longer than one byte
	}
	for _, k := range r.byPair[pairOf(tail)] {
		if s := r.secrets[k]; len(tail) < len(s) && bytes.HasPrefix(s, tail) {
			return true
		}
	}
	return false
}
