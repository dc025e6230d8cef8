package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

var imageOnce struct {
	sync.Mutex
	done bool
}

// runnerImage builds DefaultImage like `make runner-image` does (same Dockerfile, same
// context) once per test binary, whether or not the daemon has one: the image carries this
// module's stage driver, and one built from an older checkout would test that instead. The
// build is cached, so a rebuild of unchanged code takes a moment, and `make test` needs no
// extra step.
func runnerImage(t testing.TB, cli *client.Client) {
	t.Helper()
	imageOnce.Lock()
	defer imageOnce.Unlock()
	if imageOnce.done {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	terraform := testenv.Terraform(t)
	start := time.Now()
	driver := buildDriver(t, cli)
	buildContext, err := imageContext(terraform, driver)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cli.ImageBuild(ctx, buildContext, build.ImageBuildOptions{
		Tags: []string{DefaultImage}, Remove: true, ForceRemove: true, Version: build.BuilderV1,
	})
	if err != nil {
		t.Fatalf("building %s: %v", DefaultImage, err)
	}
	defer resp.Body.Close()
	// The build's outcome is in its message stream, not in the status code.
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("building %s: %v", DefaultImage, err)
		}
		if msg.Error != "" {
			t.Fatalf("building %s: %s", DefaultImage, msg.Error)
		}
	}
	t.Logf("built %s in %s", DefaultImage, time.Since(start).Round(time.Millisecond))
	imageOnce.done = true
}

// buildDriver builds cmd/cloudoven-stage as `make runner-image` does: static, for Linux on
// the daemon's architecture.
func buildDriver(t testing.TB, cli *client.Client) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to build the stage driver")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	v, err := cli.ServerVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "cloudoven-stage")
	cmd := exec.CommandContext(ctx, goBin, "build", "-trimpath", "-o", out, "./cmd/cloudoven-stage")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+v.Arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the stage driver: %v\n%s", err, b)
	}
	return out
}

// imageContext is the build context `make runner-image` assembles in bin/runner-image.
func imageContext(terraform, driver string) (io.Reader, error) {
	type entry struct {
		name string
		path string
		mode int64
	}
	entries := []entry{
		{"Dockerfile", filepath.Join("image", "Dockerfile"), 0o644},
		{"passwd", filepath.Join("image", "passwd"), 0o644},
		{"group", filepath.Join("image", "group"), 0o644},
		{"ca-certificates.crt", "/etc/ssl/certs/ca-certificates.crt", 0o644},
		{"terraform", terraform, 0o755},
		{"cloudoven-stage", driver, 0o755},
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "workspace/", Mode: 0o755}); err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := os.ReadFile(e.path)
		if errors.Is(err, os.ErrNotExist) && e.name == "ca-certificates.crt" {
			data = nil // a host without CA certificates still gets an image; TLS just fails in it
		} else if err != nil {
			return nil, err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: e.name, Mode: e.mode, Size: int64(len(data))}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return &buf, nil
}
