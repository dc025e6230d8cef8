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
	"strings"
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
	// The free port is found by closing a listener, so another process can
	// take it before Azurite binds it: Azurite then exits, or something else
	// answers there. Either way, start again on another port.
	var why []string
	for attempt := 0; attempt < 3; attempt++ {
		url, err := startAzurite(t, bin)
		if err == nil {
			return url
		}
		why = append(why, err.Error())
	}
	t.Fatalf("azurite did not start in 3 attempts:\n%s", strings.Join(why, "\n"))
	return ""
}

// startAzurite starts Azurite on a free port and waits until Azurite
// itself answers there (its Server header says Azurite-Blob).
func startAzurite(t testing.TB, bin string) (string, error) {
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
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}

	serviceURL := fmt.Sprintf("http://127.0.0.1:%d/%s", port, AzuriteAccount)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		// Any answer of Azurite's means the service is up; an
		// unauthenticated request gets a 4xx.
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, serviceURL+"?comp=list", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if strings.HasPrefix(resp.Header.Get("Server"), "Azurite-Blob") {
				t.Cleanup(stop)
				return serviceURL, nil
			}
			stop()
			return "", fmt.Errorf("port %d answers, but not as Azurite (Server %q)", port, resp.Header.Get("Server"))
		}
		select {
		case err := <-exited:
			exited <- err
			return "", fmt.Errorf("azurite on port %d exited before answering: %v\n%s", port, err, out.String())
		case <-ctx.Done():
			stop()
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
