package runs

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestRedactor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"one value", []string{"hunter22"}, "password is hunter22.\n", "password is [redacted].\n"},
		{"every occurrence", []string{"s3cr3t"}, "s3cr3t and s3cr3t", "[redacted] and [redacted]"},
		{"spanning lines", []string{"-----BEGIN KEY-----\nabc\n-----END KEY-----"},
			"key:\n-----BEGIN KEY-----\nabc\n-----END KEY-----\ndone\n", "key:\n[redacted]\ndone\n"},
		{"short values ignored", []string{"abc", ""}, "abc abc", "abc abc"},
		{"longest wins", []string{"pass", "password1"}, "password1 pass", "[redacted] [redacted]"},
		{"overlapping values become one", []string{"abcd", "cdef"}, "xabcdefx", "x[redacted]x"},
		{"prefix at the end is not a secret", []string{"hunter22"}, "hunter2", "hunter2"},
		{"json escaped", []string{`a"b\c` + "\n"}, `{"v":"a\"b\\c\n"}`, `{"v":"[redacted]"}`},
		{"no secrets", nil, "anything", "anything"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := RedactString(tt.in, tt.secrets); got != tt.want {
				t.Errorf("RedactString = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRedactorSplitWrites feeds the same text in every possible pair and
// triple of writes: a value split anywhere is still caught, and nothing
// else is lost or reordered.
func TestRedactorSplitWrites(t *testing.T) {
	t.Parallel()
	secrets := []string{"correct-horse", "battery\nstaple", "horse-battery"}
	in := "a correct-horse b battery\nstaple c correct-horse-battery d correct-hors"
	want := RedactString(in, secrets)
	if strings.Contains(want, "correct-horse") || strings.Contains(want, "staple") {
		t.Fatalf("whole-text redaction leaks: %q", want)
	}
	for i := 0; i <= len(in); i++ {
		for j := i; j <= len(in); j++ {
			var b strings.Builder
			r := NewRedactor(&b, secrets)
			for _, part := range []string{in[:i], in[i:j], in[j:]} {
				if _, err := r.Write([]byte(part)); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.Flush(); err != nil {
				t.Fatal(err)
			}
			if b.String() != want {
				t.Fatalf("split at %d and %d: got %q, want %q", i, j, b.String(), want)
			}
		}
	}
}

func TestRedactorByteAtATime(t *testing.T) {
	t.Parallel()
	secrets := []string{"tok-1234567890"}
	in := strings.Repeat("x tok-1234567890 tok-12345 ", 20)
	var b strings.Builder
	r := NewRedactor(&b, secrets)
	for i := range len(in) {
		r.Write([]byte{in[i]})
	}
	r.Flush()
	if got, want := b.String(), strings.Repeat("x [redacted] tok-12345 ", 20); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestRedactorEncodedForms: a provider or a configuration (base64encode, urlencode,
// jsonencode) can print a secret encoded; each form is redacted, also inside a longer
// encoded string, where base64 puts the secret at any of three alignments.
func TestRedactorEncodedForms(t *testing.T) {
	t.Parallel()
	// Chosen so that every encoding differs from the value and the two base64 alphabets
	// differ from each other: each case below tests something.
	const pw = "Tr0ub4dor&3/~~~?>s p@ss\"word"
	b64 := base64.StdEncoding.EncodeToString([]byte(pw))
	if b64 == base64.URLEncoding.EncodeToString([]byte(pw)) || !strings.HasSuffix(b64, "=") {
		t.Fatalf("the value's base64 %q does not tell the alphabets or the padding apart", b64)
	}
	jsonOnce, _ := json.Marshal(pw)
	jsonTwice, _ := json.Marshal(string(jsonOnce))
	escapes := regexp.MustCompile(`%[0-9A-F]{2}`)
	forms := map[string]string{
		"base64":                 b64,
		"base64 unpadded":        base64.RawStdEncoding.EncodeToString([]byte(pw)),
		"base64 url":             base64.URLEncoding.EncodeToString([]byte(pw)),
		"base64 url unpadded":    base64.RawURLEncoding.EncodeToString([]byte(pw)),
		"url query":              url.QueryEscape(pw),
		"url path":               url.PathEscape(pw),
		"percent lowercase hex":  escapes.ReplaceAllStringFunc(url.QueryEscape(pw), strings.ToLower),
		"json":                   string(jsonOnce[1 : len(jsonOnce)-1]),
		"json escaped twice":     string(jsonTwice[1 : len(jsonTwice)-1]),
		"hex":                    hex.EncodeToString([]byte(pw)),
		"hex uppercase":          strings.ToUpper(hex.EncodeToString([]byte(pw))),
		"json without html safe": `Tr0ub4dor&3/~~~?>s p@ss\"word`,
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if form == pw {
				t.Fatalf("the form is the value itself")
			}
			in := "before " + form + " after\n"
			got := RedactString(in, []string{pw})
			if strings.Contains(got, form) || !strings.Contains(got, Redacted) {
				t.Errorf("RedactString(%q) = %q: the encoded secret is still there", in, got)
			}
			if !strings.HasPrefix(got, "before ") || !strings.HasSuffix(got, " after\n") {
				t.Errorf("RedactString(%q) = %q: text around the secret was lost", in, got)
			}
		})
	}
	// The secret inside a longer string, encoded: what base64encode("user:${pw}@host")
	// prints. Each of the three alignments spells the secret differently.
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for _, prefix := range []string{"", "x", "xy", "user:", "admin:"} {
			whole := enc.EncodeToString([]byte(prefix + pw + "@host"))
			// Characters only the secret's bytes decide, trimmed generously: past the
			// prefix's and short of the suffix's.
			inner := whole[len(prefix)*4/3+2 : len(whole)-12]
			got := RedactString(whole, []string{pw})
			if !strings.Contains(got, Redacted) || strings.Contains(got, inner) {
				t.Errorf("base64 of %q + secret + %q: %q, redacted %q", prefix, "@host", whole, got)
			}
		}
	}
}

// BenchmarkRedactorLines is the cost of redacting a run's output line by line with the
// secrets of a typical environment (ten, each redacted in every encoding): ns/op is per
// line.
func BenchmarkRedactorLines(b *testing.B) {
	var secrets []string
	for i := range 10 {
		secrets = append(secrets, strings.Repeat(string(rune('a'+i)), 8)+"-S3cr3t/Value+"+strconv.Itoa(i))
	}
	line := []byte(`terraform_data.web["a"]: Modifications complete after 1s [id=8f9d2c1e-0b6a-4c1d-9f3e-2a7b5c4d6e8f]` + "\n")
	r := NewRedactor(io.Discard, secrets)
	for b.Loop() {
		r.Write(line)
	}
}

// BenchmarkRedactPlanJSON is the cost of redacting a 4 MiB plan JSON with ten secrets.
func BenchmarkRedactPlanJSON(b *testing.B) {
	var secrets []string
	for i := range 10 {
		secrets = append(secrets, strings.Repeat(string(rune('a'+i)), 8)+"-S3cr3t/Value+"+strconv.Itoa(i))
	}
	plan := strings.Repeat(`{"address":"terraform_data.web","change":{"after":{"input":"hello world","id":"8f9d2c1e"}}},`, 4<<20/90)
	b.SetBytes(int64(len(plan)))
	for b.Loop() {
		RedactString(plan, secrets)
	}
}

// TestRedactorMatchesAPlainSearch compares the Redactor, fed in random pieces, with a plain
// search for every form of every secret, on text from a small alphabet where occurrences
// overlap and abut often: the same bytes are hidden, and every other byte is kept in order.
func TestRedactorMatchesAPlainSearch(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc/+="[rng.IntN(6)]
		}
		return string(b)
	}
	for range 300 {
		secrets := []string{word(4 + rng.IntN(5)), word(4 + rng.IntN(5)), word(4 + rng.IntN(3))}
		forms := NewRedactor(io.Discard, secrets).secrets
		var in strings.Builder
		for range 20 {
			if rng.IntN(3) == 0 {
				in.WriteString(string(forms[rng.IntN(len(forms))]))
			} else {
				in.WriteString(word(1 + rng.IntN(6)))
			}
		}
		text := in.String()
		covered := make([]bool, len(text))
		for _, f := range forms {
			for i := 0; i+len(f) <= len(text); i++ {
				if text[i:i+len(f)] == string(f) {
					for j := i; j < i+len(f); j++ {
						covered[j] = true
					}
				}
			}
		}
		var want strings.Builder
		for i := 0; i < len(text); {
			if !covered[i] {
				want.WriteByte(text[i])
				i++
				continue
			}
			want.WriteString(Redacted)
			for i < len(text) && covered[i] {
				i++
			}
		}
		var got strings.Builder
		r := NewRedactor(&got, secrets)
		for rest := text; rest != ""; {
			n := min(len(rest), 1+rng.IntN(12))
			r.Write([]byte(rest[:n]))
			rest = rest[n:]
		}
		r.Flush()
		// Occurrences that abut are one Redacted or two, depending on where the pieces
		// split: either hides the same bytes.
		collapse := func(s string) string {
			for strings.Contains(s, Redacted+Redacted) {
				s = strings.ReplaceAll(s, Redacted+Redacted, Redacted)
			}
			return s
		}
		if collapse(got.String()) != want.String() {
			t.Fatalf("secrets %q, text %q:\ngot  %q\nwant %q", secrets, text, got.String(), want.String())
		}
	}
}
