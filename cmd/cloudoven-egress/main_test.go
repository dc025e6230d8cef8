package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/egress"
)

func TestRunRefusesBadArguments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-allow", "https://management.azure.com"}, `host "https://management.azure.com"`},
		{[]string{"-allow", "*.com"}, "top-level domain"},
		{[]string{"-state", "ftp://x/y"}, "state address"},
		{[]string{"-listen", "127.0.0.1:0", "extra"}, "unexpected arguments"},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, &bytes.Buffer{}, &stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), tc.want) {
			t.Errorf("run(%q) = %v (%s), want an error saying %q", tc.args, err, stderr.String(), tc.want)
		}
	}
}

// lockedBuffer is stdout, written by the proxy while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRunServesUntilCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-allow", "management.azure.com", "-allow", "*.blob.core.windows.net",
			"-state", "http://172.17.0.1:8080/api/v1/state/team/1"}, &stdout, &bytes.Buffer{})
	}()
	for deadline := time.Now().Add(10 * time.Second); !strings.HasPrefix(stdout.String(), egress.ReadyLine); {
		if time.Now().After(deadline) {
			t.Fatalf("no ready line: %q", stdout.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(stdout.String(), "allowing management.azure.com, *.blob.core.windows.net, CloudOven's state backend") {
		t.Errorf("the ready line does not say what is allowed: %q", stdout.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after a cancel: %v", err)
	}
}
