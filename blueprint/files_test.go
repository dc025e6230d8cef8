package blueprint_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

func TestNormalizeFilePath(t *testing.T) {
	ok := map[string]string{
		"scripts/init.sh":            "scripts/init.sh",
		"./scripts//init.sh":         "scripts/init.sh",
		"templates/cloud-init.yaml":  "templates/cloud-init.yaml",
		"policy.json":                "policy.json",
		"tpl/x.tftpl":                "tpl/x.tftpl",
		"modules/net/main.tf":        "modules/net/main.tf", // only the root folder is terraform's
		"a/b/c/d/e/f/g/h/deep.txt":   "a/b/c/d/e/f/g/h/deep.txt",
		"files/user@host+v1_2-3.cfg": "files/user@host+v1_2-3.cfg",
		".docker/config.json":        ".docker/config.json",
	}
	for in, want := range ok {
		got, err := blueprint.NormalizeFilePath(in)
		if err != nil || got != want {
			t.Errorf("NormalizeFilePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	unsafe := []string{"~/.ssh/id_rsa.pub", "../etc/passwd", "scripts/../../x", "a/../b", "/etc/passwd", `C:\x`, `scripts\init.sh`, "x\x00y"}
	for _, in := range unsafe {
		if _, err := blueprint.NormalizeFilePath(in); !errors.Is(err, blueprint.ErrUnsafePath) {
			t.Errorf("NormalizeFilePath(%q) = %v; want ErrUnsafePath", in, err)
		}
	}
	refused := map[string]string{
		"":                              "empty",
		"main.tf":                       "read by terraform",
		"MAIN.TF":                       "read by terraform",
		"terraform.tfvars":              "read by terraform",
		"prod.auto.tfvars":              "read by terraform",
		"override.tf.json":              "read by terraform",
		"terraform.tfstate":             "read by terraform",
		"README.md":                     "README",
		".terraform/x":                  "keeps for its own",
		"scripts/.terraform.lock.hcl":   "keeps for its own",
		".cloudoven.tfrc":               "keeps for its own",
		"my scripts/init.sh":            "character",
		"a/b/c/d/e/f/g/h/i/deep.txt":    "folders deep",
		strings.Repeat("a", 129):        "longer than 128",
		strings.Repeat("a/", 130) + "x": "bytes long",
	}
	for in, want := range refused {
		_, err := blueprint.NormalizeFilePath(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NormalizeFilePath(%q) = %v; want an error saying %q", in, err, want)
		}
	}
}

func filesBlueprint() *blueprint.Blueprint {
	return &blueprint.Blueprint{
		Name: "withfiles",
		Outputs: []blueprint.Output{
			{Name: "script", Value: blueprint.Expr(`file("${path.module}/scripts/init.sh")`)},
			{Name: "rendered", Value: blueprint.Expr(`templatefile("tpl/x.tftpl", { name = "world" })`)},
		},
		Files: []blueprint.BlueprintFile{
			{Path: "scripts/init.sh", Content: "#!/bin/sh\necho hello\n"},
			{Path: "tpl/x.tftpl", Content: "hello ${name}\n"},
		},
	}
}

func TestFilesDocumentRoundTrip(t *testing.T) {
	b := filesBlueprint()
	doc, err := b.MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	got, err := blueprint.ParseDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b.Files, got.Files); diff != "" {
		t.Errorf("files after a round trip (-want +got):\n%s", diff)
	}
	// A document written before files existed reads unchanged, and one without files
	// writes no "files" key.
	old := []byte(`{"format": 1, "name": "old", "outputs": [{"name": "x", "value": {"literal": 1}}]}`)
	ob, err := blueprint.ParseDocument(old)
	if err != nil || len(ob.Files) != 0 {
		t.Fatalf("old document: %v, files %v", err, ob.Files)
	}
	if out, _ := ob.MarshalDocument(); bytes.Contains(out, []byte(`"files"`)) {
		t.Errorf("a blueprint without files writes a files key:\n%s", out)
	}
}

func TestFilesDocumentRefusesPathTraversal(t *testing.T) {
	for _, p := range []string{"../outside.sh", "/etc/passwd", "scripts/../../x", `..\\x`} {
		doc := []byte(`{"format": 1, "name": "x", "files": [{"path": "ok.sh", "content": ""}, {"path": "` + p + `", "content": "x"}]}`)
		_, err := blueprint.ParseDocument(doc)
		if !errors.Is(err, blueprint.ErrDocument) || !strings.Contains(err.Error(), "files[1].path") {
			t.Errorf("path %q: ParseDocument = %v; want a document error at files[1].path", p, err)
		}
	}
	// A path that is safe but not in its simplest form is normalised.
	b, err := blueprint.ParseDocument([]byte(`{"format": 1, "name": "x", "files": [{"path": "./scripts//a.sh", "content": ""}]}`))
	if err != nil || b.Files[0].Path != "scripts/a.sh" {
		t.Errorf("ParseDocument = %v, %+v; want the path normalised to scripts/a.sh", err, b)
	}
}

func TestValidateFiles(t *testing.T) {
	cat := testCatalog(t)
	b := filesBlueprint()
	if ds := blueprint.Validate(b, cat); len(ds) > 0 {
		t.Fatalf("valid files: %v", ds)
	}
	b.Files = append(b.Files,
		blueprint.BlueprintFile{Path: "main.tf", Content: "x"},
		blueprint.BlueprintFile{Path: "Scripts/Init.sh", Content: "x"},
		blueprint.BlueprintFile{Path: "big.txt", Content: strings.Repeat("x", blueprint.MaxFileSize+1)},
		blueprint.BlueprintFile{Path: "bin.dat", Content: "\xff\xfe"},
		blueprint.BlueprintFile{Path: "nul.txt", Content: "a\nb\x00"},
		blueprint.BlueprintFile{Path: "cert.pfx", Content: "MIL/AA==", Encoding: blueprint.FileBase64},
		blueprint.BlueprintFile{Path: "bad.pfx", Content: "not base64!", Encoding: blueprint.FileBase64},
	)
	want := map[string]string{
		"files[2].path":    "read by terraform",
		"files[3].path":    "there twice",
		"files[4].content": "257 KiB",
		"files[5].content": "not UTF-8",
		"files[8].content": "not valid base64",
		"files[6].content": "NUL byte on line 2",
	}
	ds := blueprint.Validate(b, cat)
	for path, text := range want {
		at := ds.At(path).Errors()
		if len(at) != 1 || !strings.Contains(at[0].Summary+at[0].Detail, text) {
			t.Errorf("%s: %v; want one error saying %q", path, at, text)
		}
	}
	if len(ds) != len(want) {
		t.Errorf("got %d diagnostics, want %d: %v", len(ds), len(want), ds)
	}
}

func TestImportKeepsFilesTheConfigurationReads(t *testing.T) {
	files := map[string][]byte{
		"main.tf": []byte(`
resource "terraform_data" "init" {
  input = file("${path.module}/scripts/init.sh")
}

output "rendered" {
  value = templatefile("tpl/x.tftpl", { name = "world" })
}

output "hash" {
  value = filesha256("./scripts/init.sh")
}
`),
		"scripts/init.sh": []byte("#!/bin/sh\necho hello\n"),
		"tpl/x.tftpl":     []byte("hello ${name}\n"),
		"notes.txt":       []byte("not read by the configuration"),
	}
	b, ds := blueprint.Import(files)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	want := []blueprint.BlueprintFile{
		{Path: "scripts/init.sh", Content: "#!/bin/sh\necho hello\n"},
		{Path: "tpl/x.tftpl", Content: "hello ${name}\n"},
	}
	if diff := cmp.Diff(want, b.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	// The file nothing reads is still listed as left out; the ones read are not.
	if len(ds) != 1 || ds[0].Path != "notes.txt" {
		t.Errorf("diagnostics: %v; want only notes.txt listed", ds)
	}
}

func TestImportFilesInAnArchiveFolder(t *testing.T) {
	b, ds := blueprint.Import(map[string][]byte{
		"infra/main.tf":         []byte(`output "x" { value = file("${path.module}/scripts/init.sh") }`),
		"infra/scripts/init.sh": []byte("echo\n"),
	})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	if len(b.Files) != 1 || b.Files[0].Path != "scripts/init.sh" {
		t.Errorf("files: %+v; want scripts/init.sh relative to main.tf's folder", b.Files)
	}
}

func TestImportWarnsOnFilesItCannotKeep(t *testing.T) {
	b, ds := blueprint.Import(map[string][]byte{
		"main.tf": []byte(`
locals {
  missing = file("scripts/missing.sh")
  dynamic = file(var.path)
  outside = file("${path.module}/../shared/x.sh")
  binary  = filebase64("certs/app.pfx")
}
variable "path" {
  type = string
}
`),
		"certs/app.pfx": {0x30, 0x82, 0xff, 0x00},
	})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	// The binary file is kept, as base64.
	wantFiles := []blueprint.BlueprintFile{{Path: "certs/app.pfx", Content: "MIL/AA==", Encoding: blueprint.FileBase64}}
	if diff := cmp.Diff(wantFiles, b.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	want := []string{
		"files[scripts/missing.sh]: file not found",
		"files: file path not known: at main.tf:4,13: file reads a path that is an expression (var.path)",
		`files: file path not known: at main.tf:5,13: file reads "../shared/x.sh"`,
	}
	if len(ds) != len(want) {
		t.Fatalf("diagnostics: %v; want %d", ds, len(want))
	}
	for i, w := range want {
		if got := ds[i].Path + ": " + ds[i].Summary + ": " + ds[i].Detail; !strings.HasPrefix(got, w) {
			t.Errorf("diagnostic %d: %s\nwant it to start with %s", i, got, w)
		}
	}
}

func TestGenerateAndZipWriteFiles(t *testing.T) {
	b := filesBlueprint()
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		got[f.Name] = string(f.Content)
	}
	for _, f := range b.Files {
		if got[f.Path] != f.Content {
			t.Errorf("generated %s = %q, want %q", f.Path, got[f.Path], f.Content)
		}
	}
	var buf bytes.Buffer
	if err := blueprint.WriteZip(&buf, files); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	inZip := map[string]string{}
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		inZip[e.Name] = string(data)
	}
	for _, f := range b.Files {
		if inZip[f.Path] != f.Content {
			t.Errorf("zip entry %s = %q, want %q", f.Path, inZip[f.Path], f.Content)
		}
	}
	if !strings.Contains(inZip["README.md"], "`scripts/init.sh`") {
		t.Errorf("the zip's README does not list the files:\n%s", inZip["README.md"])
	}

	// Neither generation nor the zip writes a path out of the folder, or over main.tf.
	for _, p := range []string{"../x.sh", "main.tf", "/abs.sh"} {
		bad := filesBlueprint()
		bad.Files[0].Path = p
		if _, err := blueprint.Generate(bad, blueprint.GenerateOptions{}); err == nil {
			t.Errorf("Generate wrote a file at %q", p)
		}
		if err := blueprint.WriteZip(io.Discard, []blueprint.File{{Name: p, Content: nil}}); err == nil && p != "main.tf" {
			t.Errorf("WriteZip wrote an entry %q", p)
		}
	}
}

// TestGeneratedFilesWhereTerraformReadsThem runs the real terraform validate and plan (only
// the builtin provider, no network) on the generated folder: the plan reads both files.
func TestGeneratedFilesWhereTerraformReadsThem(t *testing.T) {
	tfBin := testenv.Terraform(t)
	b := filesBlueprint()
	b.Resources = []blueprint.Resource{{Mode: blueprint.ManagedMode, Type: "terraform_data", Name: "init",
		Config: blueprint.Body{Attributes: []blueprint.Attribute{{Name: "input", Value: blueprint.Expr(`templatefile("${path.module}/tpl/x.tftpl", { name = "plan" })`)}}}}}
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tf, err := tfexec.NewTerraform(dir, tfBin)
	if err != nil {
		t.Fatal(err)
	}
	tf.SetEnv(testenv.TerraformEnv(t))
	ctx := context.Background()
	if err := tf.Init(ctx, tfexec.Backend(false)); err != nil {
		t.Fatalf("terraform init: %v", err)
	}
	out, err := tf.Validate(ctx)
	if err != nil || !out.Valid {
		t.Fatalf("terraform validate: %v %+v", err, out)
	}
	if _, err := tf.Plan(ctx, tfexec.Out("tfplan")); err != nil {
		t.Fatalf("terraform plan: %v", err)
	}
	plan, err := tf.ShowPlanFile(ctx, "tfplan")
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]any{}
	for name, o := range plan.PlannedValues.Outputs {
		outputs[name] = o.Value
	}
	want := map[string]any{"script": "#!/bin/sh\necho hello\n", "rendered": "hello world\n"}
	if diff := cmp.Diff(want, outputs); diff != "" {
		t.Errorf("planned outputs (-want +got):\n%s", diff)
	}
	if got := plan.ResourceChanges[0].Change.After.(map[string]any)["input"]; got != "hello plan\n" {
		t.Errorf("terraform_data.init input = %v, want the rendered template", got)
	}
}

func TestBinaryFilesAreKeptAsBase64(t *testing.T) {
	data := []byte{0x30, 0x82, 0x01, 0x00, 0xff, 0xfe}
	f := blueprint.NewBlueprintFile("certs/app.pfx", data)
	if !f.Binary() {
		t.Fatalf("a binary file is kept as text: %+v", f)
	}
	if text := blueprint.NewBlueprintFile("a.sh", []byte("echo\n")); text.Binary() || text.Content != "echo\n" {
		t.Errorf("a text file: %+v", text)
	}
	b := &blueprint.Blueprint{Name: "bin", Files: []blueprint.BlueprintFile{f}}
	doc, err := b.MarshalDocument()
	if err != nil {
		t.Fatal(err)
	}
	back, err := blueprint.ParseDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	files, err := blueprint.Generate(back, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := files[len(files)-1]; got.Name != "certs/app.pfx" || !bytes.Equal(got.Content, data) {
		t.Errorf("generated %s = %v, want the original bytes", got.Name, got.Content)
	}
	if _, err := blueprint.ParseDocument([]byte(`{"format": 1, "name": "x", "files": [{"path": "a", "content": "", "encoding": "gzip"}]}`)); err == nil || !strings.Contains(err.Error(), `unknown encoding "gzip"`) {
		t.Errorf("unknown encoding: %v", err)
	}
}

func TestMissingFiles(t *testing.T) {
	b := filesBlueprint()
	b.Outputs = append(b.Outputs, blueprint.Output{Name: "other", Value: blueprint.Expr(`filemd5("${path.module}/certs/ca.pem")`)},
		blueprint.Output{Name: "again", Value: blueprint.Expr(`file("certs/ca.pem")`)})
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ds := blueprint.MissingFiles(b, files)
	if len(ds) != 1 || ds[0].Path != "files[certs/ca.pem]" || ds[0].Severity != blueprint.Warning || !strings.Contains(ds[0].Detail, "filemd5 reads certs/ca.pem") {
		t.Errorf("MissingFiles = %v; want one warning for certs/ca.pem", ds)
	}
}
