package runs

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

// TestBase64InnerIsInEveryEncoding checks the redactor's base64 forms against the
// definition: whatever bytes come before and after a value, the base64 of the whole holds
// the value's inner form for its alignment.
func TestBase64InnerIsInEveryEncoding(t *testing.T) {
	t.Parallel()
	for range 200 {
		var b [40]byte
		rand.Read(b[:])
		n := 4 + int(b[0])%20
		before, value, after := b[1:1+int(b[1])%6], b[8:8+n], b[30:30+int(b[2])%6]
		whole := append(append(append([]byte{}, before...), value...), after...)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			inner := base64Inner(enc, value, len(before)%3)
			if len(inner) < (8*n-10)/6 {
				t.Fatalf("inner form of %d bytes is %d characters", n, len(inner))
			}
			if s := enc.EncodeToString(whole); !strings.Contains(s, inner) {
				t.Fatalf("%x + %x + %x encodes to %q, without the value's inner form %q", before, value, after, s, inner)
			}
		}
	}
}
