package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// tokenBytes is the size of a session token before encoding.
const tokenBytes = 32

// NewToken makes a session token: 32 random bytes, base64url without padding. Only its
// TokenHash is stored, so a copy of the database does not sign anyone in.
func NewToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating a session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash is the SHA-256 of a session token in hex, the form the store keeps.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CSRFToken derives the session's CSRF token from its session token. It differs from
// TokenHash (a different prefix goes into the hash), so the stored hash does not give it
// away, and it needs no storage of its own: it lives and dies with the session.
func CSRFToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("cloudoven csrf\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Equal compares two tokens in constant time (for tokens of equal length).
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
