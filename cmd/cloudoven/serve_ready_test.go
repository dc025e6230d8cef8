package main

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// get answers a GET's status and body; err when the server does not answer.
func get(url string) (int, string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	return resp.StatusCode, string(b), err
}

// TestServeTurnsUnreadyBeforeItStops: serve is ready once it listens; on a signal it keeps
// serving for -shutdown-delay with /readyz answering 503 "shutting down" (so a Service
// drops it before its listener closes) while /healthz still answers, then stops cleanly.
func TestServeTurnsUnreadyBeforeItStops(t *testing.T) {
	t.Setenv("CLOUDOVEN_ADMIN_PASSWORD", "")
	base, _, stop := startServe(t, filepath.Join(t.TempDir(), "data"), "-shutdown-delay", "5s")
	if code, body, err := get(base + "readyz"); err != nil || code != http.StatusOK || body != "ok" {
		t.Fatalf("GET /readyz after start: %d %q %v", code, body, err)
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		stop()
	}()
	// The signal reaches serve at once; the delay is the window this test has to see it.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		code, body, err := get(base + "readyz")
		if err != nil {
			t.Fatalf("the listener closed before /readyz answered 503: %v", err)
		}
		if code == http.StatusServiceUnavailable {
			if body != "shutting down" {
				t.Errorf("GET /readyz while stopping: %q, want %q", body, "shutting down")
			}
			break
		}
		<-tick.C
	}
	if code, _, err := get(base + "healthz"); err != nil || code != http.StatusOK {
		t.Errorf("GET /healthz while stopping: %d %v", code, err)
	}
	<-stopped
	if _, _, err := get(base + "healthz"); err == nil {
		t.Errorf("serve still answers after it stopped")
	}
}
