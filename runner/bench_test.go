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

// BenchmarkPlan100 compares a plan of 100 terraform_data resources in CloudOven's hardened
// container (a fresh volume, the files copied in, init and plan each in their own container,
// the saved plan read back) with bare terraform init and plan on the host, in a fresh
// directory each time. make bench records the ratio in docs/PERFORMANCE.md.
func BenchmarkPlan100(b *testing.B) {
	config := plan100()
	steps := [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color", "-out=tfplan"}}

	b.Run("docker", func(b *testing.B) {
		cli := testenv.Docker(b)
		if _, err := cli.ImageInspect(context.Background(), DefaultImage); err != nil {
			testenv.Unavailable(b, DefaultImage+" is missing: run make runner-image")
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
				Steps:       steps,
				Collect:     []string{"tfplan"},
				NetworkMode: "none",
			}, io.Discard)
			if err != nil || res.ExitCode != 0 || len(res.Files["tfplan"]) == 0 {
				b.Fatalf("plan in docker: exit %d, err %v", res.ExitCode, err)
			}
		}
	})

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
			for _, step := range steps {
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
