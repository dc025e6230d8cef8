package secrets

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
)

func newKey(t *testing.T) []byte {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	return key
}

func newBox(t *testing.T) *Box {
	t.Helper()
	b, err := NewBox(newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBoxRoundTrip(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	ad := []byte("payments/dev/ARM_CLIENT_SECRET")
	tests := []struct {
		name      string
		plaintext []byte
	}{
		{"empty", nil},
		{"short", []byte("s3cr3t")},
		{"binary", []byte{0, 1, 2, 0xff}},
		{"64 KiB", bytes.Repeat([]byte("x"), 64<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sealed, err := b.Seal(tt.plaintext, ad)
			if err != nil {
				t.Fatal(err)
			}
			if want := 12 + len(tt.plaintext) + 16; len(sealed) != want {
				t.Errorf("sealed is %d bytes, want %d (nonce, ciphertext, tag)", len(sealed), want)
			}
			if len(tt.plaintext) > 0 && bytes.Contains(sealed, tt.plaintext) {
				t.Errorf("sealed holds the plaintext")
			}
			got, err := b.Open(sealed, ad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestBoxSealUsesFreshNonces(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	one, err := b.Seal([]byte("same"), nil)
	if err != nil {
		t.Fatal(err)
	}
	two, err := b.Seal([]byte("same"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(one[:12], two[:12]) || bytes.Equal(one, two) {
		t.Errorf("two seals of one value are alike:\n%x\n%x", one, two)
	}
}

func TestBoxOpenRefuses(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	ad := []byte("payments/dev/TF_VAR_db_password")
	sealed, err := b.Seal([]byte("hunter2-hunter2"), ad)
	if err != nil {
		t.Fatal(err)
	}
	other := newBox(t)
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name   string
		box    *Box
		sealed []byte
		ad     []byte
	}{
		{"wrong key", other, sealed, ad},
		{"wrong additional data", b, sealed, []byte("payments/dev/ARM_CLIENT_SECRET")},
		{"no additional data", b, sealed, nil},
		{"tampered nonce", b, flip(0), ad},
		{"tampered ciphertext", b, flip(12), ad},
		{"tampered tag", b, flip(len(sealed) - 1), ad},
		{"truncated", b, sealed[:len(sealed)-1], ad},
		{"extended", b, append(bytes.Clone(sealed), 0), ad},
		{"shorter than nonce and tag", b, sealed[:27], ad},
		{"empty", b, nil, ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.box.Open(tt.sealed, tt.ad)
			if err == nil {
				t.Fatalf("Open = %q, want an error", got)
			}
			if got != nil {
				t.Errorf("Open returned %q with its error", got)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q holds the plaintext", err)
			}
		})
	}
}

func TestNewBoxKeySize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := NewBox(make([]byte, n)); err == nil || !strings.Contains(err.Error(), "want 32") {
			t.Errorf("NewBox(%d-byte key) = %v, want an error saying 32 bytes", n, err)
		}
	}
}
