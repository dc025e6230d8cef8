package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
)

// ErrNotFound reports that a blob store holds no blob under a key.
var ErrNotFound = errors.New("blob not found")

// ErrInvalidKey reports a blob key that is not a clean relative path.
var ErrInvalidKey = errors.New("invalid blob key")

// BlobStore keeps state blobs by key. Keys are '/'-separated relative
// paths (ValidKey). Implementations are safe for concurrent use.
type BlobStore interface {
	// Put stores data under key, replacing what was there; a reader sees
	// the old blob or the new one, never a mix.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the blob under key, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes the blob under key; a missing blob is not an error.
	Delete(ctx context.Context, key string) error
}

// tempPrefix starts the names of DirStore's files in progress; keys may
// not use it, so no Get can read a half-written file.
const tempPrefix = ".tmp-"

// ValidKey reports whether key may name a blob: a relative path of
// '/'-separated parts, none empty, '.' or '..', without '\', ':' or
// control characters, at most 1024 bytes. The same rule holds for every
// blob store, so state moves between them unchanged.
func ValidKey(key string) error {
	bad := key == "" || len(key) > 1024 || strings.ContainsAny(key, `\:`)
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.HasPrefix(seg, tempPrefix) {
			bad = true
		}
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			bad = true
		}
	}
	if bad {
		return fmt.Errorf("%w: %s is not a relative path of '/'-separated parts without '.', '..', '\\', ':' or control characters",
			ErrInvalidKey, quote(key))
	}
	return nil
}

func quote(s string) string {
	const max = 80
	if len(s) <= max {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:max]) + "..."
}

// DirStore is a BlobStore on a local directory: the blob under key
// "a/b.tfstate" is the file <dir>/a/b.tfstate. Files are opened through
// an os.Root, so neither a key nor a symbolic link inside the directory
// reaches outside it.
type DirStore struct {
	dir string
}

// NewDirStore returns a DirStore keeping blobs under dir, which is created
// on the first Put.
func NewDirStore(dir string) *DirStore {
	return &DirStore{dir: dir}
}

func (d *DirStore) root(create bool) (*os.Root, error) {
	if create {
		if err := os.MkdirAll(d.dir, 0o700); err != nil {
			return nil, err
		}
	}
	return os.OpenRoot(d.dir)
}

// Put writes data to a temporary file beside the blob, syncs it and
// renames it into place, so a crash or a concurrent Get never sees a
// partial blob.
func (d *DirStore) Put(ctx context.Context, key string, data []byte) error {
	fail := func(err error) error { return fmt.Errorf("writing blob %s: %w", quote(key), err) }
	if err := ValidKey(key); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	root, err := d.root(true)
	if err != nil {
		return fail(err)
	}
	defer root.Close()
	if dir := path.Dir(key); dir != "." {
		if err := root.MkdirAll(dir, 0o700); err != nil {
			return fail(err)
		}
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return fail(err)
	}
	tmp := path.Join(path.Dir(key), tempPrefix+path.Base(key)+"-"+hex.EncodeToString(rnd[:]))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fail(err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, key)
	}
	if err != nil {
		root.Remove(tmp)
		return fail(err)
	}
	return nil
}

// Get reads the blob under key.
func (d *DirStore) Get(ctx context.Context, key string) ([]byte, error) {
	fail := func(err error) ([]byte, error) { return nil, fmt.Errorf("reading blob %s: %w", quote(key), err) }
	if err := ValidKey(key); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	root, err := d.root(false)
	if errors.Is(err, fs.ErrNotExist) {
		return fail(ErrNotFound)
	}
	if err != nil {
		return fail(err)
	}
	defer root.Close()
	data, err := root.ReadFile(key)
	if errors.Is(err, fs.ErrNotExist) {
		return fail(ErrNotFound)
	}
	if err != nil {
		return fail(err)
	}
	return data, nil
}

// Delete removes the blob under key. Emptied directories are left in
// place: removing them would race with a concurrent Put below them.
func (d *DirStore) Delete(ctx context.Context, key string) error {
	fail := func(err error) error { return fmt.Errorf("deleting blob %s: %w", quote(key), err) }
	if err := ValidKey(key); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	root, err := d.root(false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fail(err)
	}
	defer root.Close()
	if err := root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fail(err)
	}
	return nil
}
