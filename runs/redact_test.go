package runs

import (
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
