package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

var imageOnce struct {
	sync.Mutex
	done bool
}

// runnerImage makes sure DefaultImage is on the daemon, building it like `make
// runner-image` does (same Dockerfile, same context) when it is missing, so `make test`
// needs no extra step.
func runnerImage(t *testing.T, cli *client.Client) {
	t.Helper()
	imageOnce.Lock()
	defer imageOnce.Unlock()
	if imageOnce.done {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, err := cli.ImageInspect(ctx, DefaultImage)
	if err == nil {
		imageOnce.done = true
		return
	}
	if !cerrdefs.IsNotFound(err) {
		t.Fatalf("inspecting %s: %v", DefaultImage, err)
	}
	terraform := testenv.Terraform(t)
	buildContext, err := imageContext(terraform)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
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

// imageContext is the build context `make runner-image` assembles in bin/runner-image.
func imageContext(terraform string) (io.Reader, error) {
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
