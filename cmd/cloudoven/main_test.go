package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const demoBlueprint = `{"format": 1, "name": "demo",
  "variables": [{"name": "greeting", "type": "string"}],
  "resources": [{"type": "terraform_data", "name": "web", "config": {"input": {"ref": "var.greeting"}}}],
  "outputs": [{"name": "web_id", "value": {"ref": "terraform_data.web.id"}}]}`

const demoEnv = `{"format": 1, "name": "dev", "variables": {"greeting": "hello"},
  "backend": {"type": "azurerm", "config": {"storage_account_name": "sttfstate", "container_name": "tfstate", "use_azuread_auth": true}}}`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestGenerateToDirectory(t *testing.T) {
	bp, env := writeTemp(t, "bp.json", demoBlueprint), writeTemp(t, "env.json", demoEnv)
	out := filepath.Join(t.TempDir(), "tf")
	if _, stderr, err := runCLI(t, "generate", "-blueprint", bp, "-env", env, "-out", out); err != nil {
		t.Fatalf("generate: %v\n%s", err, stderr)
	}
	main, err := os.ReadFile(filepath.Join(out, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`backend "azurerm"`, `key                  = "local/demo/dev.tfstate"`, `resource "terraform_data" "web"`} {
		if !strings.Contains(string(main), want) {
			t.Errorf("main.tf lacks %q:\n%s", want, main)
		}
	}
	tfvars, err := os.ReadFile(filepath.Join(out, "terraform.tfvars"))
	if err != nil || !strings.Contains(string(tfvars), `greeting = "hello"`) {
		t.Errorf("terraform.tfvars = %q, %v", tfvars, err)
	}
}

func TestGenerateToZipIsDeterministic(t *testing.T) {
	bp := writeTemp(t, "bp.json", demoBlueprint)
	dir := t.TempDir()
	var zips [][]byte
	for _, name := range []string{"a.zip", "b.zip"} {
		if _, stderr, err := runCLI(t, "generate", "-blueprint", bp, "-out", filepath.Join(dir, name)); err != nil {
			t.Fatalf("generate: %v\n%s", err, stderr)
		}
		data, _ := os.ReadFile(filepath.Join(dir, name))
		zips = append(zips, data)
	}
	if !bytes.Equal(zips[0], zips[1]) {
		t.Error("the same blueprint gave two different zips")
	}
	zr, err := zip.NewReader(bytes.NewReader(zips[0]), int64(len(zips[0])))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "README.md main.tf outputs.tf variables.tf" {
		t.Errorf("zip entries: %s", got)
	}
}

func TestBadInputIsRefusedClearly(t *testing.T) {
	big := writeTemp(t, "big.json", `{"format":1,"name":"x","description":"`+strings.Repeat("a", 11<<20)+`"}`)
	tests := []struct {
		name string
		doc  string
		file string
		want string
	}{
		{name: "malformed JSON", doc: "{\"format\": 1,\n \"name\": \"x\"\n \"resources\": []}", want: "malformed JSON at line 3"},
		{name: "unknown format", doc: `{"format": 7, "name": "x"}`, want: "version 7 is not supported"},
		{name: "not a blueprint", doc: `{"name": "x"}`, want: `no "format" field`},
		{name: "too large", file: big, want: "larger than the 4 MiB"},
		{name: "missing file", file: filepath.Join(t.TempDir(), "nope.json"), want: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = writeTemp(t, "bp.json", tt.doc)
			}
			out := filepath.Join(t.TempDir(), "out")
			_, _, err := runCLI(t, "generate", "-blueprint", file, "-out", out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			if _, statErr := os.Stat(out); !errors.Is(statErr, os.ErrNotExist) {
				t.Error("output was written for a refused blueprint")
			}
		})
	}
}

func TestValidatePrintsDiagnostics(t *testing.T) {
	bp := writeTemp(t, "bp.json", strings.Replace(demoBlueprint, `"input"`, `"inptu"`, 1))
	_, stderr, err := runCLI(t, "validate", "-blueprint", bp)
	var exit exitError
	if !errors.As(err, &exit) || exit != 1 {
		t.Fatalf("want exit status 1, got %v", err)
	}
	for _, want := range []string{`Error: unsupported argument "inptu"`, "on resources[terraform_data.web].inptu", `Did you mean "input"?`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("output lacks %q:\n%s", want, stderr)
		}
	}
	ok := writeTemp(t, "ok.json", demoBlueprint)
	if stdout, _, err := runCLI(t, "validate", "-blueprint", ok); err != nil || !strings.Contains(stdout, "Success") {
		t.Errorf("valid blueprint: %v %q", err, stdout)
	}
}

func TestEnvironmentVariablesSetFlags(t *testing.T) {
	bp := writeTemp(t, "bp.json", demoBlueprint)
	out := filepath.Join(t.TempDir(), "tf")
	t.Setenv("CLOUDOVEN_BLUEPRINT", bp)
	t.Setenv("CLOUDOVEN_OUT", out)
	if _, stderr, err := runCLI(t, "generate"); err != nil {
		t.Fatalf("generate from env: %v\n%s", err, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "main.tf")); err != nil {
		t.Error(err)
	}
}

func TestUnknownCommand(t *testing.T) {
	_, stderr, err := runCLI(t, "frobnicate")
	if err == nil || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("err %v, stderr %q", err, stderr)
	}
	if stdout, _, err := runCLI(t, "version"); err != nil || !strings.HasPrefix(stdout, "cloudoven ") {
		t.Errorf("version: %v %q", err, stdout)
	}
}

// TestImportThenGenerate: `cloudoven import` of Terraform that `generate` wrote gives a
// document that generates the same files again.
func TestImportThenGenerate(t *testing.T) {
	bp := writeTemp(t, "bp.json", demoBlueprint)
	tf := filepath.Join(t.TempDir(), "tf")
	if _, stderr, err := runCLI(t, "generate", "-blueprint", bp, "-out", tf); err != nil {
		t.Fatalf("generate: %v\n%s", err, stderr)
	}
	doc := filepath.Join(t.TempDir(), "imported.json")
	stdout, stderr, err := runCLI(t, "import", "-dir", tf, "-name", "demo", "-out", doc)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "1 resources") {
		t.Errorf("import summary: %q", stdout)
	}
	again := filepath.Join(t.TempDir(), "again")
	if _, stderr, err := runCLI(t, "generate", "-blueprint", doc, "-out", again); err != nil {
		t.Fatalf("generate from the imported document: %v\n%s", err, stderr)
	}
	for _, f := range []string{"main.tf", "variables.tf", "outputs.tf"} {
		a, _ := os.ReadFile(filepath.Join(tf, f))
		b, _ := os.ReadFile(filepath.Join(again, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs after import:\n%s\n---\n%s", f, a, b)
		}
	}
}

func TestImportReportsWhatItCannotHold(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.tf"), []byte("module \"net\" {\n  source = \"./net\"\n}\n\nresource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n"), 0o644)
	stdout, stderr, err := runCLI(t, "import", "-dir", dir, "-name", "mods")
	if err != nil {
		t.Fatalf("a warning must not fail the import: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "Warning") || !strings.Contains(stderr, "modules[net]") {
		t.Errorf("the module call is not reported:\n%s", stderr)
	}
	if !strings.Contains(stdout, `"terraform_data"`) {
		t.Errorf("the resource is missing from the document:\n%s", stdout)
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "main.tf"), []byte("resource \"terraform_data\" \"a\" {\n  input = \n}\n"), 0o644)
	if _, stderr, err := runCLI(t, "import", "-dir", bad); err == nil || !strings.Contains(stderr, "main.tf:") {
		t.Errorf("a syntax error must fail with its position: %v\n%s", err, stderr)
	}
}
