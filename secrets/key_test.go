package secrets

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// unsetKeyEnv makes sure CLOUDOVEN_SECRET_KEY is unset for the test and
// restored after it (t.Setenv records the old value; such tests cannot run
// in parallel).
func unsetKeyEnv(t *testing.T) {
	t.Helper()
	t.Setenv(keyEnv, "")
	os.Unsetenv(keyEnv)
}

func writeKeyFile(t *testing.T, content string, perm os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode passes through the umask; set it exactly.
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadKeyFromEnvironmentWins(t *testing.T) {
	want := newKey(t)
	t.Setenv(keyEnv, base64.StdEncoding.EncodeToString(want)+"\n")
	path := writeKeyFile(t, base64.StdEncoding.EncodeToString(newKey(t)), 0o600)
	missing := filepath.Join(t.TempDir(), "not", "made.key")
	for _, p := range []string{path, missing, ""} {
		got, created, err := LoadKey(p)
		if err != nil {
			t.Fatalf("LoadKey(%q): %v", p, err)
		}
		if !bytes.Equal(got, want) || created {
			t.Errorf("LoadKey(%q) = %x, %v; want the environment's key %x, false", p, got, created, want)
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("key file directory made although the environment had the key: %v", err)
	}
}

func TestLoadKeyFromEnvironmentRefuses(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{"empty", "", "CLOUDOVEN_SECRET_KEY is set but empty"},
		{"blank", " \n", "CLOUDOVEN_SECRET_KEY is set but empty"},
		{"not base64", "not a key!", "not valid base64"},
		{"url encoding", strings.Repeat("-_", 22), "not valid base64"},
		{"16 bytes", base64.StdEncoding.EncodeToString(make([]byte, 16)), "the key is 16 bytes, want 32"},
		{"raw 32 bytes", strings.Repeat("k", 32), "the key is 24 bytes, want 32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(keyEnv, tt.value)
			path := filepath.Join(t.TempDir(), "secret.key")
			key, _, err := LoadKey(path)
			if err == nil {
				t.Fatalf("LoadKey = %x, want an error", key)
			}
			for _, want := range []string{tt.want, "head -c 32 /dev/urandom | base64"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want it to contain %q", err, want)
				}
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("key file written although the environment was set: %v", err)
			}
		})
	}
}

func TestLoadKeyCreatesFile(t *testing.T) {
	unsetKeyEnv(t)
	dir := filepath.Join(t.TempDir(), "state", "keys")
	path := filepath.Join(dir, "secret.key")
	key, created, err := LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != 32 || !created {
		t.Fatalf("LoadKey = %d-byte key, created %v; want 32 bytes, true", len(key), created)
	}
	if bytes.Equal(key, make([]byte, 32)) {
		t.Errorf("new key is all zeros")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), base64.StdEncoding.EncodeToString(key)+"\n"; got != want {
		t.Errorf("key file holds %q, want the key in base64 %q", got, want)
	}
	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700, filepath.Dir(dir): 0o700} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s has mode %04o, want %04o", p, got, want)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want only the key file (no temporary left)", len(entries))
	}

	again, created, err := LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, key) || created {
		t.Errorf("second LoadKey = %x, created %v; want the first key %x, false", again, created, key)
	}
}

func TestLoadKeyReusesExistingFile(t *testing.T) {
	unsetKeyEnv(t)
	want := newKey(t)
	for name, content := range map[string]string{
		"with newline":    base64.StdEncoding.EncodeToString(want) + "\n",
		"without newline": base64.StdEncoding.EncodeToString(want),
	} {
		t.Run(name, func(t *testing.T) {
			path := writeKeyFile(t, content, 0o600)
			got, created, err := LoadKey(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) || created {
				t.Errorf("LoadKey = %x, %v; want %x, false", got, created, want)
			}
			if b, _ := os.ReadFile(path); string(b) != content {
				t.Errorf("key file rewritten to %q", b)
			}
		})
	}
}

func TestLoadKeyRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	unsetKeyEnv(t)
	content := base64.StdEncoding.EncodeToString(newKey(t))
	for _, perm := range []os.FileMode{0o640, 0o604, 0o644, 0o660, 0o602, 0o666} {
		path := writeKeyFile(t, content, perm)
		key, _, err := LoadKey(path)
		if err == nil {
			t.Errorf("LoadKey of a %04o file = %x, want an error", perm, key)
			continue
		}
		if want := "chmod 600 " + path; !strings.Contains(err.Error(), want) {
			t.Errorf("LoadKey of a %04o file: error %q, want it to say %q", perm, err, want)
		}
		if strings.Contains(err.Error(), content) {
			t.Errorf("error %q holds the key", err)
		}
	}
}

func TestLoadKeyRefusesWrongLength(t *testing.T) {
	unsetKeyEnv(t)
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"16 bytes", base64.StdEncoding.EncodeToString(make([]byte, 16)), "the key is 16 bytes, want 32"},
		{"33 bytes", base64.StdEncoding.EncodeToString(make([]byte, 33)), "the key is 33 bytes, want 32"},
		{"empty", "", "the key is 0 bytes, want 32"},
		{"raw bytes", string(make([]byte, 32)), "not valid base64"},
		{"huge", strings.Repeat("A", 1<<20), "far longer than a key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeKeyFile(t, tt.content, 0o600)
			key, _, err := LoadKey(path)
			if err == nil {
				t.Fatalf("LoadKey = %x, want an error", key)
			}
			for _, want := range []string{path, tt.want, "head -c 32 /dev/urandom | base64"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want it to contain %q", err, want)
				}
			}
		})
	}
}

func TestLoadKeyNoPath(t *testing.T) {
	unsetKeyEnv(t)
	if _, _, err := LoadKey(""); err == nil || !strings.Contains(err.Error(), "CLOUDOVEN_SECRET_KEY is not set") {
		t.Errorf("LoadKey(\"\") = %v, want an error naming CLOUDOVEN_SECRET_KEY", err)
	}
}

func TestLoadKeyConcurrentFirstStart(t *testing.T) {
	unsetKeyEnv(t)
	path := filepath.Join(t.TempDir(), "keys", "secret.key")
	const n = 8
	keys := make([][]byte, n)
	created := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], created[i], errs[i] = LoadKey(path) })
	}
	wg.Wait()
	made := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("LoadKey %d: %v", i, errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Errorf("LoadKey %d = %x, want the same key as the others, %x", i, keys[i], keys[0])
		}
		if created[i] {
			made++
		}
	}
	if made != 1 {
		t.Errorf("%d calls report creating the key file, want 1", made)
	}
}

// A key another user (root) owns and grants read to this process's group only, as a
// Kubernetes Secret mounted with the pod's fsGroup is, loads; group write or any bit for
// others is still refused.
func TestLoadKeyAcceptsAKeyGrantedToOurGroup(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix owners on Windows")
	}
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another owner needs root")
	}
	unsetKeyEnv(t)
	want := newKey(t)
	content := base64.StdEncoding.EncodeToString(want)
	for _, tt := range []struct {
		perm os.FileMode
		ok   bool
	}{
		{0o440, true}, {0o640, true}, {0o460, false}, {0o444, false}, {0o404, false},
	} {
		t.Run(tt.perm.String(), func(t *testing.T) {
			path := writeKeyFile(t, content, tt.perm)
			// Another user owns it; the group is this process's.
			if err := os.Chown(path, 4242, os.Getegid()); err != nil {
				t.Fatal(err)
			}
			key, _, err := LoadKey(path)
			switch {
			case tt.ok && (err != nil || !bytes.Equal(key, want)):
				t.Errorf("LoadKey of a %04o file owned by another user: %x, %v; want the key", tt.perm, key, err)
			case !tt.ok && err == nil:
				t.Errorf("LoadKey of a %04o file owned by another user = %x, want an error", tt.perm, key)
			}
		})
	}
}
