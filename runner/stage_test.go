package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// driverlessImage builds, from DefaultImage, an image whose label does not announce the
// stage driver, as an environment's own image (hashicorp/terraform) would not; it is
// removed when the test ends.
func driverlessImage(t testing.TB, cli *client.Client) string {
	t.Helper()
	tag := "cloudoven-test/terraform-driverless:" + newRunID(t)
	dockerfile := []byte("FROM " + DefaultImage + "\nLABEL " + stage.ImageLabel + "=\"\" cloudoven.test=runner\n")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(dockerfile)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	resp, err := cli.ImageBuild(ctx, &buf, build.ImageBuildOptions{Tags: []string{tag}, Remove: true, ForceRemove: true, Version: build.BuilderV1})
	if err != nil {
		t.Fatalf("building %s: %v", tag, err)
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("building %s: %v", tag, err)
		}
		if msg.Error != "" {
			t.Fatalf("building %s: %s", tag, msg.Error)
		}
	}
	t.Cleanup(func() {
		if _, err := cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}); err != nil {
			t.Errorf("removing %s: %v", tag, err)
		}
	})
	return tag
}

// stdoutFileJob validates into a file, then plans: the validation's JSON document must not
// reach the output, and the plan must.
func stdoutFileJob(t *testing.T) Job {
	return Job{
		RunID: newRunID(t),
		Files: map[string][]byte{"main.tf": []byte(dataConfig)},
		Steps: [][]string{
			{"init", "-input=false", "-no-color"},
			{"validate", "-json", "-no-color"},
			{"plan", "-input=false", "-no-color"},
		},
		StdoutFiles: map[int]string{1: "checks/validate.json"},
		Collect:     []string{"checks/validate.json"},
		NetworkMode: "none",
	}
}

func checkStdoutFile(t *testing.T, res Result, out *output) {
	t.Helper()
	if res.ExitCode != 0 || res.Step != 2 {
		t.Fatalf("exit code %d at step %d, want 0 at step 2\n%s", res.ExitCode, res.Step, out)
	}
	var validate struct {
		Valid      *bool `json:"valid"`
		ErrorCount int   `json:"error_count"`
	}
	if err := json.Unmarshal(res.Files["checks/validate.json"], &validate); err != nil || validate.Valid == nil || !*validate.Valid {
		t.Errorf("validate.json = %q (%v), want terraform's document saying valid", res.Files["checks/validate.json"], err)
	}
	if out.has(`"valid"`) || out.has(`"format_version"`) {
		t.Errorf("the validation's document reached the output:\n%s", out)
	}
	if !out.has("Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Errorf("output lacks the plan:\n%s", out)
	}
}

func TestDockerStdoutFiles(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{})
	for _, tc := range []struct{ name, image string }{
		{"stage driver", DefaultImage},
		{"one container per step", driverlessImage(t, cli)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := stdoutFileJob(t)
			j.Image = tc.image
			out := &output{t: t}
			res, err := d.Run(context.Background(), j, out)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out)
			}
			checkStdoutFile(t, res, out)
			assertNothingLeft(t, cli, j.RunID)
		})
	}
}

func TestLocalStdoutFiles(t *testing.T) {
	t.Parallel()
	l := newLocal(t, 10*time.Second)
	j := stdoutFileJob(t)
	j.Env = localEnvOf(t, nil)
	out := &output{t: t}
	res, err := l.Run(context.Background(), j, out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	checkStdoutFile(t, res, out)
	assertNoWorkspace(t, j.RunID)
}

func TestCappedWriterKeepsTheLimit(t *testing.T) {
	t.Parallel()
	c := newCapture()
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for range 9 {
		if n, err := c.Write(chunk); n != len(chunk) || err != nil {
			t.Fatalf("write = %d, %v; want every byte taken", n, err)
		}
	}
	if c.buf.Len() != stage.MaxStdoutFile || !c.over {
		t.Errorf("held %d bytes, over %v; want %d, true", c.buf.Len(), c.over, stage.MaxStdoutFile)
	}
	c.reset()
	c.Write([]byte("again"))
	if c.buf.String() != "again" || c.over {
		t.Errorf("after a reset: %q, over %v", c.buf.String(), c.over)
	}
	if got := stdoutFileTooLong(1, "v.json"); !strings.Contains(got, "step 2 wrote more than 8 MiB to v.json") {
		t.Errorf("message %q", got)
	}
}
