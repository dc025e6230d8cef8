package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// keyEnv is the environment variable that, when set, holds the key in
// base64 and takes the place of the key file.
const keyEnv = "CLOUDOVEN_SECRET_KEY"

// keySize is AES-256's key size.
const keySize = 32

// howToMakeKey ends every key error, so the fix is in the message.
const howToMakeKey = "a key is 32 random bytes in base64 (standard encoding), for example the output of: head -c 32 /dev/urandom | base64"

// LoadKey returns the 32-byte key: from the environment variable
// CLOUDOVEN_SECRET_KEY (base64, standard encoding) when set, else from the
// key file at path, which is created with 0600 permissions (crypto/rand)
// on first start (parent dirs 0700). A key file readable by group or
// others, or of the wrong length, is an error that says how to fix it.
// created reports whether a new key file was written.
//
// The key file holds the key in base64 too, so that it can be moved into
// CLOUDOVEN_SECRET_KEY as it is. Losing the key loses every secret: they
// have to be set again.
func LoadKey(path string) (key []byte, created bool, err error) {
	if v, ok := os.LookupEnv(keyEnv); ok {
		// Set but empty is refused rather than read as unset: falling
		// back to a key file would make every stored secret unreadable.
		if strings.TrimSpace(v) == "" {
			return nil, false, fmt.Errorf("reading the secret key: %s is set but empty; unset it to use the key file, or set it: %s", keyEnv, howToMakeKey)
		}
		key, err := decodeKey(v)
		if err != nil {
			return nil, false, fmt.Errorf("reading the secret key from %s: %w", keyEnv, err)
		}
		return key, false, nil
	}
	if path == "" {
		return nil, false, fmt.Errorf("reading the secret key: %s is not set and no key file path was given", keyEnv)
	}
	key, err = readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKeyFile(path)
	}
	if err != nil {
		return nil, false, err
	}
	return key, false, nil
}

// readKeyFile reads and checks an existing key file. The mode is checked
// on the open file, so it is the file that is read.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("reading the secret key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading the secret key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading the secret key file %s: it is not a regular file", path)
	}
	// Windows has no Unix permission bits to check; its ACLs are the
	// operator's business.
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 && !grantedToOurGroup(fi) {
		return nil, fmt.Errorf("reading the secret key file %s: its mode is %04o, so group or others can reach it; run chmod 600 %s (and consider the key leaked if others could read it)", path, perm, path)
	}
	// A key file is about 45 bytes; reading a little past any sane size
	// is enough to say it is wrong without reading a huge file.
	const limit = 1 << 10
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading the secret key file %s: %w", path, err)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("reading the secret key file %s: it is over %d bytes, far longer than a key; %s", path, limit, howToMakeKey)
	}
	key, err := decodeKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("reading the secret key file %s: %w", path, err)
	}
	return key, nil
}

// createKeyFile writes a new random key. It is written to a temporary file
// and linked into place, so a concurrent start never reads half a key and
// two starts racing agree on one key: the one that loses the link reads the
// winner's.
func createKeyFile(path string) ([]byte, bool, error) {
	fail := func(err error) ([]byte, bool, error) {
		return nil, false, fmt.Errorf("creating the secret key file %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err)
	}
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return fail(err)
	}
	tmp, err := os.CreateTemp(dir, ".cloudoven-key-*") // created 0600
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			key, err := readKeyFile(path)
			return key, false, err
		}
		return fail(err)
	}
	return key, true, nil
}

func decodeKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("the key is not valid base64; %s", howToMakeKey)
	}
	if len(key) != keySize {
		return nil, fmt.Errorf("the key is %d bytes, want %d; %s", len(key), keySize, howToMakeKey)
	}
	return key, nil
}
