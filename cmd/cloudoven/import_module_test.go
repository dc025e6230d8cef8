package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestImportDirWithLocalModule imports a directory whose configuration calls a local module
// (which calls one of its own), generates the blueprint back to a directory, and runs the
// real terraform init and validate there: the module's files travel with the blueprint.
func TestImportDirWithLocalModule(t *testing.T) {
	tf := testenv.Terraform(t)
	dir := importDir(t, map[string]string{
		"main.tf": "module \"net\" {\n  source = \"./modules/net\"\n\n  name = \"demo\"\n}\n\nresource \"terraform_data\" \"uses\" {\n  input = module.net.id\n\n  depends_on = [module.net]\n}\n\noutput \"tags\" {\n  value = module.net.tags\n}\n",
	})
	for name, content := range map[string]string{
		"modules/net/main.tf":      "variable \"name\" {\n  type = string\n}\n\nresource \"terraform_data\" \"net\" {\n  input = var.name\n}\n\nmodule \"tags\" {\n  source = \"./tags\"\n}\n\noutput \"id\" {\n  value = terraform_data.net.id\n}\n\noutput \"tags\" {\n  value = module.tags.all\n}\n",
		"modules/net/tags/main.tf": "output \"all\" {\n  value = { team = \"platform\" }\n}\n",
		"modules/net/README.md":    "# net\n",
		"examples/demo/main.tf":    "module \"net\" {\n  source = \"../../modules/net\"\n}\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc := filepath.Join(t.TempDir(), "bp.json")
	stdout, stderr, err := runCLI(t, "import", "-dir", dir, "-name", "mods", "-out", doc)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout, "1 module calls") {
		t.Errorf("import summary: %q", stdout)
	}
	for _, want := range []string{"on modules/net/README.md", "on examples\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("what was not read is not listed (%q):\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "on modules\n") {
		t.Errorf("the modules folder was read but is listed as not read:\n%s", stderr)
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, err := runCLI(t, "generate", "-blueprint", doc, "-out", out); err != nil {
		t.Fatalf("generate: %v\n%s", err, stderr)
	}
	for _, f := range []string{"main.tf", "modules/net/main.tf", "modules/net/tags/main.tf"} {
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(f))); err != nil {
			t.Errorf("generated directory lacks %s: %v", f, err)
		}
	}
	env := os.Environ()
	for k, v := range testenv.TerraformEnv(t) {
		env = append(env, k+"="+v)
	}
	for _, args := range [][]string{{"init", "-backend=false", "-input=false"}, {"validate", "-no-color"}} {
		cmd := exec.CommandContext(context.Background(), tf, args...)
		cmd.Dir, cmd.Env = out, env
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", args[0], err, b)
		}
	}
}
