package runner

import (
	"context"
	"testing"
)

// filesConfig reads a file from a folder below main.tf, as a blueprint's Files are laid out.
const filesConfig = `resource "terraform_data" "init" {
  input = templatefile("${path.module}/tpl/cloud-init.tftpl", { name = "aks" })
}

output "script" {
  value = file("${path.module}/scripts/init.sh")
}
`

// TestDockerJobFilesInFolders: files at relative paths with folders reach /workspace where
// terraform looks for them, through the loader's copy.
func TestDockerJobFilesInFolders(t *testing.T) {
	t.Parallel()
	d, cli := newDocker(t, DockerOptions{})
	job := Job{
		RunID: newRunID(t),
		Files: map[string][]byte{
			"main.tf":              []byte(filesConfig),
			"scripts/init.sh":      []byte("echo script-from-a-folder\n"),
			"tpl/cloud-init.tftpl": []byte("hostname: ${name}-template-rendered\n"),
		},
		Steps:       [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color"}},
		NetworkMode: "none",
	}
	out := &output{t: t}
	res, err := d.Run(context.Background(), job, out)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("plan: %v, exit %d\n%s", err, res.ExitCode, out)
	}
	for _, want := range []string{"echo script-from-a-folder", "hostname: aks-template-rendered"} {
		if !out.has(want) {
			t.Errorf("the plan does not show %q read from the file:\n%s", want, out)
		}
	}
	assertNothingLeft(t, cli, job.RunID)
}
