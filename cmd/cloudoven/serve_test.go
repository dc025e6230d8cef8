package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startServe runs `cloudoven serve` on a free port with dataDir and returns its URL, the
// lines it printed before the start line, and a stop function that fails the test unless
// serve stops cleanly.
func startServe(t *testing.T, dataDir string, extra ...string) (string, []string, func()) {
	t.Helper()
	return startServeWith(t, io.Discard, append([]string{"-data-dir", dataDir, "-log-level", "warn"}, extra...)...)
}

// startServeWith is startServe with the given flags (after -addr and -runner none) and
// stderr, where serve logs.
func startServeWith(t *testing.T, stderr io.Writer, flags ...string) (string, []string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0", "-runner", "none"}, flags...), pw, stderr)
		pw.Close()
	}()
	br := bufio.NewReader(pr)
	var before []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			cancel()
			t.Fatalf("reading the start line: %v (serve returned %v)", err, <-done)
		}
		if u := regexp.MustCompile(`http://[0-9.:]+/`).FindString(line); u != "" && strings.HasPrefix(line, "CloudOven is running") {
			go io.Copy(io.Discard, br)
			return u, before, func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve did not stop cleanly: %v", err)
				}
			}
		}
		before = append(before, line)
	}
}

// TestServeStartsAndStops runs `cloudoven serve` with a fresh data directory: it creates the
// first user and prints the password once, answers /healthz, signs in with that password,
// and stops the way a signal would. A second start prints no password.
func TestServeStartsAndStops(t *testing.T) {
	t.Setenv("CLOUDOVEN_ADMIN_PASSWORD", "")
	dataDir := filepath.Join(t.TempDir(), "data")
	base, before, stop := startServe(t, dataDir)
	m := regexp.MustCompile(`^CloudOven created the first user admin with password (\S+); change it`).FindStringSubmatch(strings.Join(before, ""))
	if m == nil {
		t.Fatalf("no first-user message before the start line: %q", before)
	}
	password := m[1]

	resp, err := http.Get(base + "healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: %s", resp.Status)
	}

	// The state backend answers beside the app, with its own authentication.
	resp, err = http.Get(base + "api/v1/state/team/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("GET of a state without credentials: %s, WWW-Authenticate %q", resp.Status, resp.Header.Get("WWW-Authenticate"))
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err = client.Get(base + "projects")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/signin" {
		t.Errorf("signed out, /projects led to %s, want the sign-in page", resp.Request.URL)
	}
	resp, err = client.PostForm(base+"signin", url.Values{"name": {"admin"}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/projects" {
		t.Errorf("signing in with the printed password: %s at %s", resp.Status, resp.Request.URL)
	}
	stop()

	_, before, stop = startServe(t, dataDir)
	if len(before) != 0 {
		t.Errorf("a second start printed %q", before)
	}
	stop()
}

// TestServeRefusesAWeakAdminPassword: the first user's password from -admin-password (or
// its variable) passes the same rules as any new password, and serve does not start
// without a good one.
func TestServeRefusesAWeakAdminPassword(t *testing.T) {
	t.Setenv("CLOUDOVEN_ADMIN_PASSWORD", "1234567890")
	dataDir := filepath.Join(t.TempDir(), "data")
	// Were the password taken, serve would run until this context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data-dir", dataDir, "-log-level", "warn", "-runner", "none"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-admin-password: password is a sequence") {
		t.Fatalf("serve with a weak admin password: %v", err)
	}
}
