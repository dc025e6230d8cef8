package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestImportKeepsTheFilesTheConfigurationReads: import -dir reads the files main.tf reads
// from folders below it into the document, and never one outside the directory.
func TestImportKeepsTheFilesTheConfigurationReads(t *testing.T) {
	dir := importDir(t, map[string]string{"main.tf": `
resource "terraform_data" "init" {
  input = file("${path.module}/scripts/init.sh")
}

output "rendered" {
  value = templatefile("tpl/x.tftpl", { name = "world" })
}

output "secret" {
  value = file("${path.module}/../secret.txt")
}
`})
	for name, content := range map[string]string{"scripts/init.sh": "#!/bin/sh\necho hi\n", "tpl/x.tftpl": "hello ${name}\n", "../secret.txt": "not yours\n"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "bp.json")
	_, stderr, err := runCLI(t, "import", "-dir", dir, "-name", "demo", "-out", out)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := blueprint.ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []blueprint.BlueprintFile{
		{Path: "scripts/init.sh", Content: "#!/bin/sh\necho hi\n"},
		{Path: "tpl/x.tftpl", Content: "hello ${name}\n"},
	}
	if diff := cmp.Diff(want, b.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if !strings.Contains(stderr, `file reads "../secret.txt", which a blueprint cannot keep`) {
		t.Errorf("stderr does not say the file outside the directory is not kept:\n%s", stderr)
	}
	for _, notListed := range []string{"on scripts", "on tpl"} {
		if strings.Contains(stderr, notListed) {
			t.Errorf("stderr lists a folder that was read (%s):\n%s", notListed, stderr)
		}
	}
}

// TestGenerateWritesFilesInFolders: generate -out DIR writes a blueprint's files in their
// folders, creating them, and never through a link out of DIR.
func TestGenerateWritesFilesInFolders(t *testing.T) {
	bp := writeTemp(t, "bp.json", `{"format": 1, "name": "demo",
  "outputs": [{"name": "x", "value": {"expr": "file(\"${path.module}/scripts/init.sh\")"}}],
  "files": [{"path": "scripts/init.sh", "content": "echo hi\n"}, {"path": "tpl/a/b.tftpl", "content": "b\n"}]}`)
	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, err := runCLI(t, "generate", "-blueprint", bp, "-out", out); err != nil {
		t.Fatalf("generate: %v\n%s", err, stderr)
	}
	for name, want := range map[string]string{"scripts/init.sh": "echo hi\n", "tpl/a/b.tftpl": "b\n"} {
		if got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name))); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}

	// A folder of the output that is a link out of it is not written through.
	out2 := filepath.Join(t.TempDir(), "out")
	outside := t.TempDir()
	if err := os.MkdirAll(out2, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(out2, "scripts")); err != nil {
		testenv.Unavailable(t, fmt.Sprintf("symbolic links: %v", err))
	}
	if _, _, err := runCLI(t, "generate", "-blueprint", bp, "-out", out2); err == nil {
		t.Error("generate wrote through a link out of the output folder")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files written outside the output folder: %v", entries)
	}
}
