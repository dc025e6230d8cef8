package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// Box seals and opens values with AES-256-GCM. It keeps the cipher and the
// key's id (KeyID), not the key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
	id   string
	// source says where the key came from, for messages, and fromEnv whether it is
	// CLOUDOVEN_SECRET_KEY: UseKey sets them.
	source  string
	fromEnv bool
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != keySize {
		return nil, fmt.Errorf("making a secret box: the key is %d bytes, want %d", len(key), keySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("making a secret box: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("making a secret box: %w", err)
	}
	return &Box{aead: aead, id: KeyID(key), source: "the key in use"}, nil
}

// KeyID returns the id of the Box's key (see KeyID).
func (b *Box) KeyID() string { return b.id }

// Seal encrypts plaintext and authenticates it together with
// additionalData, which is not stored: Open must be given the same. The
// result is a random 12-byte nonce followed by the ciphertext and tag.
//
// Random nonces are safe here because one key seals far fewer than the
// 2^32 messages after which GCM's nonce collisions become a concern.
func (b *Box) Seal(plaintext, additionalData []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	out := make([]byte, ns, ns+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, fmt.Errorf("sealing: reading a nonce: %w", err)
	}
	return b.aead.Seal(out, out, plaintext, additionalData), nil
}

// errOpen is deliberately vague: GCM cannot tell a wrong key from a
// tampered ciphertext or different additional data.
var errOpen = errors.New("opening sealed value: it was sealed with another key or other additional data, or was altered")

// Open checks and decrypts what Seal returned, given the same
// additionalData. A wrong key, altered bytes or different additional data
// are all an error.
func (b *Box) Open(sealed, additionalData []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(sealed) < ns+b.aead.Overhead() {
		return nil, fmt.Errorf("opening sealed value: it is %d bytes, shorter than a nonce and tag (%d)", len(sealed), ns+b.aead.Overhead())
	}
	plaintext, err := b.aead.Open(nil, sealed[:ns], sealed[ns:], additionalData)
	if err != nil {
		return nil, errOpen
	}
	return plaintext, nil
}
