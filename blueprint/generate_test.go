package blueprint_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/terraform-exec/tfexec"
	"golang.org/x/tools/txtar"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

func filesArchive(files []blueprint.File) []byte {
	var a txtar.Archive
	for _, f := range files {
		a.Files = append(a.Files, txtar.File{Name: f.Name, Data: f.Content})
	}
	return txtar.Format(&a)
}

// TestGenerateGolden generates every case in testdata/generate and compares the files with
// NAME.golden.txtar. Run `go test ./blueprint -run TestGenerateGolden -update` to rewrite.
func TestGenerateGolden(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range generateCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			diags := blueprint.Validate(c.bp, cat)
			if c.opts.Environment != nil {
				diags = append(diags, blueprint.ValidateEnvironment(c.bp, c.opts.Environment, c.opts.StateKey, c.opts.StateAddress)...)
			}
			if diags.HasErrors() {
				t.Fatalf("golden blueprint does not validate:\n%s", diags.Errors().Error())
			}
			files, err := blueprint.Generate(c.bp, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := filesArchive(files)
			golden := filepath.Join("testdata/generate", c.name+".golden.txtar")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("generated files differ from %s (-want +got):\n%s", golden, diff)
			}

			for _, f := range files {
				// Goldens are idempotent under formatting, and parse as native HCL.
				if formatted := hclwrite.Format(f.Content); !bytes.Equal(formatted, f.Content) {
					t.Errorf("%s changes under hclwrite.Format:\n%s", f.Name, cmp.Diff(string(f.Content), string(formatted)))
				}
				if _, diags := hclsyntax.ParseConfig(f.Content, f.Name, hcl.InitialPos); diags.HasErrors() {
					t.Errorf("%s does not parse: %s", f.Name, diags.Error())
				}
			}

			// The document round-trips: encode, decode, generate again, same bytes.
			doc, err := c.bp.MarshalDocument()
			if err != nil {
				t.Fatal(err)
			}
			again, err := blueprint.ParseDocument(doc)
			if err != nil {
				t.Fatalf("re-reading the encoded document: %v", err)
			}
			files2, err := blueprint.Generate(again, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(got), string(filesArchive(files2))); diff != "" {
				t.Errorf("generation after a document round trip differs:\n%s", diff)
			}
			doc2, _ := again.MarshalDocument()
			if !bytes.Equal(doc, doc2) {
				t.Errorf("document encoding is not stable:\n%s", cmp.Diff(string(doc), string(doc2)))
			}
		})
	}
}

func TestGoldenCoverage(t *testing.T) {
	// The corpus must keep covering what the generator can write.
	cases := generateCases(t)
	if len(cases) < 12 {
		t.Errorf("%d golden cases; keep at least 12", len(cases))
	}
	kinds := map[blueprint.ValueKind]bool{}
	backendsSeen := map[string]bool{}
	var count, forEach, validation, nested, outputs bool
	for _, c := range cases {
		if c.opts.Environment != nil {
			backendsSeen[c.opts.Environment.Backend.Type] = true
		}
		for _, v := range c.bp.Variables {
			validation = validation || len(v.Validations) > 0
		}
		outputs = outputs || len(c.bp.Outputs) > 0
		for _, r := range append(append([]blueprint.Resource(nil), c.bp.Resources...), c.bp.Data...) {
			count = count || r.Count != nil
			forEach = forEach || r.ForEach != nil
			for _, blk := range r.Config.Blocks {
				nested = nested || len(blk.Body.Blocks) > 0
			}
			var walk func(v blueprint.Value)
			walk = func(v blueprint.Value) {
				kinds[v.Kind] = true
				for _, item := range v.List {
					walk(item)
				}
				for _, item := range v.Map {
					walk(item)
				}
			}
			var body func(b blueprint.Body)
			body = func(b blueprint.Body) {
				for _, a := range b.Attributes {
					walk(a.Value)
				}
				for _, blk := range b.Blocks {
					body(blk.Body)
				}
			}
			body(r.Config)
		}
	}
	for _, k := range []blueprint.ValueKind{blueprint.LiteralKind, blueprint.ReferenceKind, blueprint.ExpressionKind, blueprint.ListKind, blueprint.MapKind} {
		if !kinds[k] {
			t.Errorf("no golden case uses a %s value", k)
		}
	}
	for _, b := range blueprint.BackendTypes() {
		if !backendsSeen[b] {
			t.Errorf("no golden case uses the %s backend", b)
		}
	}
	for what, ok := range map[string]bool{"count": count, "for_each": forEach, "variable validation": validation, "doubly nested blocks": nested, "outputs": outputs} {
		if !ok {
			t.Errorf("no golden case uses %s", what)
		}
	}
}

// TestGoldenTerraformFmt runs the real `terraform fmt -check` over every golden's files.
func TestGoldenTerraformFmt(t *testing.T) {
	tfBin := testenv.Terraform(t)
	dir := t.TempDir()
	for _, c := range generateCases(t) {
		files, err := blueprint.Generate(c.bp, c.opts)
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, filepath.Join(dir, c.name), files)
	}
	tf, err := tfexec.NewTerraform(dir, tfBin)
	if err != nil {
		t.Fatal(err)
	}
	tf.SetEnv(testenv.TerraformEnv(t))
	ok, unformatted, err := tf.FormatCheck(context.Background(), tfexec.Recursive(true))
	if err != nil {
		t.Fatalf("terraform fmt -check: %v", err)
	}
	if !ok {
		t.Errorf("terraform fmt -check wants to change: %s", strings.Join(unformatted, ", "))
	}
}

// TestGoldenTerraformValidate runs terraform init -backend=false and validate on every
// golden that needs only Terraform's builtin provider (nothing to download).
func TestGoldenTerraformValidate(t *testing.T) {
	tfBin := testenv.Terraform(t)
	ran := 0
	for _, c := range generateCases(t) {
		if len(c.bp.RequiredProviders) > 0 {
			continue
		}
		ran++
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			files, err := blueprint.Generate(c.bp, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeFiles(t, dir, files)
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
			if err != nil {
				t.Fatalf("terraform validate: %v", err)
			}
			if !out.Valid {
				for _, d := range out.Diagnostics {
					t.Errorf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
				}
			}
		})
	}
	if ran < 3 {
		t.Errorf("only %d builtin-only golden cases; keep at least 3 so terraform validate sees real output", ran)
	}
}

func writeFiles(t testing.TB, dir string, files []blueprint.File) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		// A local module's files are in folders of their own (modules/net/main.tf).
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f.Name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
