package state

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// testBlobStore checks the BlobStore contract on bs.
func testBlobStore(t *testing.T, bs BlobStore) {
	t.Helper()
	ctx := t.Context()
	const key = "deployments/1/abc.tfstate"
	if _, err := bs.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a missing key: got %v, want ErrNotFound", err)
	}
	for _, data := range [][]byte{[]byte(`{"serial":1}`), []byte(`{"serial":2}`), {}} {
		if err := bs.Put(ctx, key, data); err != nil {
			t.Fatal(err)
		}
		got, err := bs.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Errorf("Get = %q, want %q", got, data)
		}
	}
	if err := bs.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, err := bs.Get(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: got %v, want ErrNotFound", err)
	}
	if err := bs.Delete(ctx, key); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	for _, bad := range []string{"", "../x", "a/../../x", "/abs", "a//b", "a/./b", `a\b`, "c:x", "a/.tmp-x", "a\x00b"} {
		if err := bs.Put(ctx, bad, []byte("x")); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q): got %v, want ErrInvalidKey", bad, err)
		}
		if _, err := bs.Get(ctx, bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q): got %v, want ErrInvalidKey", bad, err)
		}
	}
}

func TestDirStore(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "blobs")
	testBlobStore(t, NewDirStore(dir))
}

func TestDirStoreStaysInsideItsDirectory(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir := filepath.Join(base, "blobs")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	bs := NewDirStore(dir)
	if err := bs.Put(t.Context(), "link/x.tfstate", []byte("x")); err == nil {
		t.Error("Put through a symbolic link out of the directory succeeded")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("Put wrote %d entries outside the directory", len(entries))
	}
}

func TestDirStoreLeavesNoTempFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bs := NewDirStore(dir)
	if err := bs.Put(t.Context(), "a/b.tfstate", []byte("x")); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "b.tfstate" {
		t.Errorf("directory holds %v, want only b.tfstate", entries)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := bs.Put(ctx, "a/c.tfstate", []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put after cancel: got %v, want context.Canceled", err)
	}
}
