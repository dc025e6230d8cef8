package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
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
