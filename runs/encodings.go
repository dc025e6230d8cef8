package runs

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
)

// encodings returns s and the forms it takes when a configuration or a provider prints it
// encoded, each of which the Redactor replaces:
//
//   - JSON string escapes (terraform's machine-readable output, the plan JSON), with and
//     without Go's HTML-safe escapes of <, > and &, and escaped twice (jsonencode inside
//     the plan JSON);
//   - base64 in the standard and URL alphabets, padded and not (base64encode, a provider's
//     encoded attribute), and the characters that s alone decides when it is encoded after
//     1 or 2 other bytes: base64encode("user:${var.password}") holds s at any of three
//     alignments, each spelled differently. The one or two characters at each edge, which
//     the neighbouring bytes share, stay, and give away at most 4 bits of s;
//   - URL encoding (urlencode, a query string): query and path escaping, with upper- and
//     lowercase hex digits;
//   - hex, in lower and upper case.
func encodings(s string) []string {
	forms := []string{s}
	for _, j := range jsonEscapes(s) {
		forms = append(forms, j)
		forms = append(forms, jsonEscapes(j)...)
	}
	raw := []byte(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		forms = append(forms, enc.EncodeToString(raw), enc.WithPadding(base64.NoPadding).EncodeToString(raw))
		for shift := 0; shift < 3; shift++ {
			forms = append(forms, base64Inner(enc, raw, shift))
		}
	}
	for _, e := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		forms = append(forms, e, lowerEscapes(e))
	}
	h := hex.EncodeToString(raw)
	return append(forms, h, strings.ToUpper(h))
}

// jsonEscapes returns the body of s as a JSON string, with and without HTML-safe escapes.
func jsonEscapes(s string) []string {
	var out []string
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(s) != nil {
			continue
		}
		q := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		out = append(out, string(q[1:len(q)-1]))
	}
	return out
}

// base64Inner returns the characters of the base64 encoding of raw, placed after shift
// other bytes, that raw's bits alone decide: each character holds 6 bits, so those from
// the first that starts at or after raw's first bit to the last that ends at or before its
// last bit.
func base64Inner(enc *base64.Encoding, raw []byte, shift int) string {
	padded := make([]byte, shift+len(raw))
	copy(padded[shift:], raw)
	e := enc.WithPadding(base64.NoPadding).EncodeToString(padded)
	from := (8*shift + 5) / 6
	to := 8 * (shift + len(raw)) / 6
	if from >= to {
		return ""
	}
	return e[from:to]
}

// lowerEscapes returns s with the hex digits of its %XX escapes in lower case.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHex(b[i+1]), lowerHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lowerHex(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}
