package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// plan100 is a configuration of 100 terraform_data resources, each depending on the one
// before, the size the issue names for comparing a CloudOven plan with a bare one.
func plan100() []byte {
	var b strings.Builder
	for i := range 100 {
		if i == 0 {
			fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" {\n  input = \"value-%d\"\n}\n\n", i, i)
			continue
		}
		fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" {\n  input = \"${terraform_data.r%d.input}-%d\"\n}\n\n", i, i-1, i)
	}
	return []byte(b.String())
}

// planStage is the commands of a plan stage, as package runs runs them.
var planStage = [][]string{
	{"init", "-input=false", "-no-color"},
	{"plan", "-input=false", "-json", "-out=tfplan"},
	{"show", "-json", "tfplan"},
}

// BenchmarkPlan100 compares the plan stage of 100 terraform_data resources in CloudOven's
// hardened container (a fresh volume, the files copied in, init, plan and show in one
// container through the stage driver, the saved plan read back, everything removed) with
// the same commands by bare terraform on the host, in a fresh directory each time. The
// goal: docker within host + one container start (BenchmarkContainerStart) + 10%.
func BenchmarkPlan100(b *testing.B) {
	config := plan100()

	// docker-per-step is the same job in an image without the stage driver: one container
	// per step, as every job ran before the driver.
	for _, name := range []string{"docker", "docker-per-step"} {
		b.Run(name, func(b *testing.B) {
			cli := testenv.Docker(b)
			runnerImage(b, cli)
			image := DefaultImage
			if name == "docker-per-step" {
				image = driverlessImage(b, cli)
			}
			d, err := NewDocker(DockerOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			for i := 0; b.Loop(); i++ {
				res, err := d.Run(context.Background(), Job{
					RunID:       fmt.Sprintf("bench-%d-%d", os.Getpid(), i),
					Files:       map[string][]byte{"main.tf": config},
					Steps:       planStage,
					Collect:     []string{"tfplan"},
					Image:       image,
					NetworkMode: "none",
				}, io.Discard)
				if err != nil || res.ExitCode != 0 || len(res.Files["tfplan"]) == 0 {
					b.Fatalf("plan in docker: exit %d, err %v", res.ExitCode, err)
				}
			}
		})
	}

	b.Run("host", func(b *testing.B) {
		terraform := testenv.Terraform(b)
		env := os.Environ()
		for k, v := range testenv.TerraformEnv(b) {
			env = append(env, k+"="+v)
		}
		for b.Loop() {
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), config, 0o644); err != nil {
				b.Fatal(err)
			}
			for _, step := range planStage {
				cmd := exec.Command(terraform, step...)
				cmd.Dir, cmd.Env = dir, env
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Run(); err != nil {
					b.Fatalf("terraform %s: %v\n%s", step[0], err, out.String())
				}
			}
		}
	})
}

// BenchmarkContainerStart is one container of the runner image from create to exit: what
// running a job's steps in one container instead of one each saves per step.
func BenchmarkContainerStart(b *testing.B) {
	cli := testenv.Docker(b)
	runnerImage(b, cli)
	ctx := context.Background()
	labels := map[string]string{LabelRun: fmt.Sprintf("bench-start-%d", os.Getpid()), LabelInstance: "bench"}
	for b.Loop() {
		c, err := cli.ContainerCreate(ctx, &container.Config{Image: DefaultImage, Cmd: []string{"version"}, Labels: labels},
			&container.HostConfig{NetworkMode: "none", LogConfig: container.LogConfig{Type: "json-file"}}, nil, nil, "")
		if err != nil {
			b.Fatal(err)
		}
		waitC, errC := cli.ContainerWait(ctx, c.ID, container.WaitConditionNextExit)
		if err := cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
			b.Fatal(err)
		}
		select {
		case r := <-waitC:
			if r.StatusCode != 0 {
				b.Fatalf("terraform version exited %d", r.StatusCode)
			}
		case err := <-errC:
			b.Fatal(err)
		}
		b.StopTimer()
		if err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
