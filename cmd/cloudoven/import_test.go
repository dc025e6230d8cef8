package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

const importMain = "resource \"terraform_data\" \"web\" {\n  input = \"hello\"\n}\n"

// importDir writes files into a new directory named config.
func importDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "config")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestImportReadsText: the .tf files are checked the way the web's import checks them, and
// what cannot be read ends the command with one line that names the file and the limit.
func TestImportReadsText(t *testing.T) {
	many := map[string]string{}
	for i := range 201 {
		many[fmt.Sprintf("f%03d.tf", i)] = ""
	}
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string // empty: the import succeeds
	}{
		{
			// HCL does not skip a byte order mark: read as is, it is a syntax error.
			name:  "a byte order mark is dropped",
			files: map[string]string{"main.tf": "\xef\xbb\xbf" + importMain},
		},
		{
			name:    "not UTF-8",
			files:   map[string]string{"main.tf": importMain, "net.tf": "# net\nresource \"terraform_data\" \"w\xe9b\" {}\n"},
			wantErr: "net.tf: line 2 (byte 34): not UTF-8 text",
		},
		{
			name:    "a NUL byte",
			files:   map[string]string{"main.tf": importMain + "\x00"},
			wantErr: "main.tf: line 4 (byte 54): a NUL byte, so not text",
		},
		{
			name:    "too many files",
			files:   many,
			wantErr: "201 .tf files; an import reads at most 200",
		},
		{
			name:    "a file over the size limit",
			files:   map[string]string{"main.tf": importMain, "big.tf": strings.Repeat("# padding\n", (4<<20)/10+1)},
			wantErr: "big.tf is larger than 4 MiB, the most an import reads of one file",
		},
		{
			name:    "no .tf file",
			files:   map[string]string{"README.md": "# hi\n"},
			wantErr: "no .tf files",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := importDir(t, tt.files)
			stdout, stderr, err := runCLI(t, "import", "-dir", dir, "-name", "demo")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("import: %v\n%s", err, stderr)
				}
				if !strings.Contains(stdout, `"terraform_data"`) || strings.Contains(stdout, "\ufeff") {
					t.Errorf("document:\n%s", stdout)
				}
				return
			}
			if err == nil {
				t.Fatalf("the import succeeded:\n%s", stdout)
			}
			if want := "reading " + dir + ": " + tt.wantErr; err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			if stdout != "" {
				t.Errorf("a refused import wrote a document:\n%s", stdout)
			}
		})
	}
}

// TestImportListsWhatItDoesNotRead: files beside the configuration and folders in it are
// listed as warnings, and the import still succeeds.
func TestImportListsWhatItDoesNotRead(t *testing.T) {
	dir := importDir(t, map[string]string{"main.tf": importMain, "README.md": "# hi\n", "terraform.tfvars": "x = 1\n"})
	if err := os.Mkdir(filepath.Join(dir, "modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCLI(t, "import", "-dir", dir, "-name", "demo")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	for _, want := range []string{
		"Warning: not read\n\n  on README.md\n\nonly .tf files are imported\n",
		"Warning: not read\n\n  on modules\n\nfolders are not read",
		"Warning: not read\n\n  on terraform.tfvars\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestImportRefusesLinksOutOfTheDirectory(t *testing.T) {
	dir := importDir(t, map[string]string{"main.tf": importMain})
	outside := writeTemp(t, "providers.tf", "locals {}\n")
	if err := os.Symlink(outside, filepath.Join(dir, "providers.tf")); err != nil {
		testenv.Unavailable(t, fmt.Sprintf("symbolic links: %v", err))
	}
	_, _, err := runCLI(t, "import", "-dir", dir, "-name", "demo")
	if err == nil || !strings.Contains(err.Error(), "providers.tf is a symbolic link out of the directory") {
		t.Errorf("err %v", err)
	}
}
