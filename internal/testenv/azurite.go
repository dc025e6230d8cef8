package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Azurite's well-known development account, published in its README.
const (
	AzuriteAccount = "devstoreaccount1"
	AzuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Azurite starts Azurite's blob service from node_modules (package.json
// pins it; make assets installs it) on a free loopback port and returns
// its service URL. The service stops when the test ends.
//
// --skipApiVersionCheck: azblob sends a newer API version than Azurite
// knows and Azurite refuses it otherwise.
func Azurite(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(RepoRoot(), "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(bin); err != nil {
		Unavailable(t, "no node_modules/.bin/azurite-blob; run make assets (npm ci)")
		return ""
	}
	if _, err := exec.LookPath("node"); err != nil {
		Unavailable(t, "no node on PATH for Azurite")
		return ""
	}
	port := freePort(t)
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
		"--location", t.TempDir(), "--skipApiVersionCheck", "--disableTelemetry", "--silent")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so the node process the script starts goes
	// with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting azurite: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})

	serviceURL := fmt.Sprintf("http://127.0.0.1:%d/%s", port, AzuriteAccount)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		// Any HTTP answer means the service is up; an unauthenticated
		// request gets a 4xx.
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, serviceURL+"?comp=list", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return serviceURL
		}
		select {
		case err := <-exited:
			t.Fatalf("azurite exited before answering: %v\n%s", err, out.String())
		case <-ctx.Done():
			t.Fatalf("azurite did not answer within 60s\n%s", out.String())
		case <-tick.C:
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
