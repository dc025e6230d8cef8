package blueprint_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/hcllimit"
)

// roundTripExclusions lists goldens that cannot round-trip through Terraform source, with
// the reason. Keep it empty unless there is a principled reason.
var roundTripExclusions = map[string]string{}

func generatedConfig(files []blueprint.File) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range files {
		if strings.HasSuffix(f.Name, ".tf") {
			out[f.Name] = f.Content
		}
	}
	return out
}

// TestImportGoldenRoundTrip generates every golden, imports the .tf files and generates
// again with the same options: main.tf, variables.tf and outputs.tf come out byte-identical.
func TestImportGoldenRoundTrip(t *testing.T) {
	for _, c := range generateCases(t) {
		t.Run(c.name, func(t *testing.T) {
			if why, ok := roundTripExclusions[c.name]; ok {
				t.Logf("excluded: %s", why)
				return
			}
			files, err := blueprint.Generate(c.bp, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			imported, diags := blueprint.Import(generatedConfig(files))
			for _, d := range diags {
				// The backend block comes from the environment; anything else is a loss.
				if d.Severity == blueprint.Warning && strings.HasPrefix(d.Path, "terraform.backend[") && c.opts.Environment != nil {
					continue
				}
				t.Errorf("unexpected diagnostic: %s", d)
			}
			// The blueprint's name is not part of the Terraform, only of the header comment.
			imported.Name = c.bp.Name
			again, err := blueprint.Generate(imported, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			want := filesByName(files)
			got := filesByName(again)
			for _, name := range []string{"main.tf", "variables.tf", "outputs.tf"} {
				if diff := cmp.Diff(want[name], got[name]); diff != "" {
					t.Errorf("%s differs after import (-generated +reimported):\n%s", name, diff)
				}
			}
		})
	}
}

func filesByName(files []blueprint.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		out[f.Name] = string(f.Content)
	}
	return out
}

func readConfigDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no .tf files in %s: %v", dir, err)
	}
	out := map[string][]byte{}
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(m)] = data
	}
	return out
}

// TestImportCorpus imports hand-written configurations: no errors, generation succeeds, the
// generated files parse, and importing them again gives the same blueprint.
func TestImportCorpus(t *testing.T) {
	dirs, err := filepath.Glob("testdata/import/*")
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() && filepath.Base(d) != "unsupported" {
			cases = append(cases, d)
		}
	}
	sort.Strings(cases)
	if len(cases) < 20 {
		t.Errorf("%d import cases; keep at least 20", len(cases))
	}
	for _, dir := range cases {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first, diags := blueprint.Import(readConfigDir(t, dir))
			if diags.HasErrors() {
				t.Fatalf("import errors:\n%s", diags.Errors().Error())
			}
			for _, d := range diags {
				t.Errorf("nothing in the corpus should be skipped: %s", d)
			}
			first.Name = name
			files, err := blueprint.Generate(first, blueprint.GenerateOptions{})
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			for _, f := range files {
				if _, hd := hclsyntax.ParseConfig(f.Content, f.Name, hcl.InitialPos); hd.HasErrors() {
					t.Errorf("generated %s does not parse: %s\n%s", f.Name, hd.Error(), f.Content)
				}
			}
			second, diags2 := blueprint.Import(generatedConfig(files))
			if len(diags2) > 0 {
				t.Errorf("re-import diagnostics:\n%s", diags2.Error())
			}
			second.Name = name
			doc1, err := first.MarshalDocument()
			if err != nil {
				t.Fatal(err)
			}
			doc2, err := second.MarshalDocument()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(doc1), string(doc2)); diff != "" {
				t.Errorf("import is not idempotent (-first +second):\n%s", diff)
			}
			files2, err := blueprint.Generate(second, blueprint.GenerateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(filesByName(files), filesByName(files2)); diff != "" {
				t.Errorf("generation is not stable under import:\n%s", diff)
			}
		})
	}
}

// TestImportUnsupported checks that each construct a blueprint cannot hold is reported
// with its path, and that everything around it is kept.
func TestImportUnsupported(t *testing.T) {
	b, diags := blueprint.Import(readConfigDir(t, "testdata/import/unsupported"))
	want := map[string]blueprint.Severity{
		"terraform.backend[azurerm]": blueprint.Warning,
		"moved":                      blueprint.Warning,
		"import":                     blueprint.Warning,
		"check[health]":              blueprint.Warning,
		"removed":                    blueprint.Warning,
		"resources[azurerm_network_security_group.web].dynamic[security_rule]": blueprint.Warning,
		"resources[azurerm_linux_virtual_machine.vm].provisioner[remote-exec]": blueprint.Warning,
		"resources[azurerm_linux_virtual_machine.vm].connection":               blueprint.Warning,
		"resources[azurerm_linux_virtual_machine.vm].lifecycle.precondition":   blueprint.Warning,
		"widget[thing]":               blueprint.Warning,
		"outputs[vm_id].precondition": blueprint.Warning,
	}
	got := map[string]blueprint.Severity{}
	for _, d := range diags {
		got[d.Path] = d.Severity
		if !strings.Contains(d.Detail, "main.tf:") {
			t.Errorf("%s: no source position in the detail", d)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s\nall:\n%s", diff, diags.Error())
	}
	// Nothing else is lost.
	if b.RequiredVersion != ">= 1.6.0" || len(b.RequiredProviders) != 1 {
		t.Errorf("terraform settings lost: %q %v", b.RequiredVersion, b.RequiredProviders)
	}
	if len(b.Resources) != 2 || len(b.Variables) != 1 || len(b.Outputs) != 1 || len(b.Providers) != 1 {
		t.Fatalf("declarations lost: %d resources, %d variables, %d outputs, %d providers",
			len(b.Resources), len(b.Variables), len(b.Outputs), len(b.Providers))
	}
	if len(b.Modules) != 1 || b.Modules[0].Source != "Azure/network/azurerm" || b.Modules[0].Version != "5.3.0" {
		t.Errorf("the module call is not kept: %+v", b.Modules)
	}
	nsg := b.Resources[0]
	if nsg.Config.Attribute("name") == nil || nsg.Config.Attribute("location") == nil || len(nsg.Config.Blocks) != 1 {
		t.Errorf("nsg config lost: %+v", nsg.Config)
	}
	vm := b.Resources[1]
	if vm.Lifecycle == nil || !vm.Lifecycle.CreateBeforeDestroy || vm.Config.Attribute("size") == nil || len(vm.Config.BlocksOf("os_disk")) != 1 {
		t.Errorf("vm lost content: %+v", vm)
	}
}

func TestImportErrors(t *testing.T) {
	_, diags := blueprint.Import(map[string][]byte{
		"main.tf":     []byte("resource \"a\" \"b\" {\n  x = \n}\n"),
		"sub/main.tf": []byte("locals {}\n"),
		"vars.tf":     []byte("variable \"v\" {}\nvariable \"v\" {}\n"),
	})
	var paths []string
	for _, d := range diags {
		// A file in a folder no module call uses is left out, with a warning.
		if want := blueprint.Error; d.Path == "sub/main.tf" && d.Severity != blueprint.Warning || d.Path != "sub/main.tf" && d.Severity != want {
			t.Errorf("wrong severity: %s", d)
		}
		paths = append(paths, d.Path)
	}
	want := []string{"main.tf:2", "variables[v]", "sub/main.tf"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("error paths (-want +got):\n%s\n%s", diff, diags.Error())
	}
}

func TestImportDeterministic(t *testing.T) {
	files := readConfigDir(t, "testdata/import/unsupported")
	_, d1 := blueprint.Import(files)
	for range 5 {
		_, d2 := blueprint.Import(files)
		if diff := cmp.Diff(d1, d2); diff != "" {
			t.Fatalf("diagnostics differ between runs:\n%s", diff)
		}
	}
}

func TestImportValueKinds(t *testing.T) {
	src := `locals {
  s       = "plain"
  n       = -3
  b       = true
  nul     = null
  tup     = ["a", 1, true]
  obj     = { a = 1, b = "x" }
  ref     = var.x
  idx     = azurerm_kubernetes_cluster.aks.kube_config[0].host
  strkey  = var.m["k"]
  list    = [var.a, "b"]
  tmpl    = "${var.a}-x"
  call    = upper(var.a)
  heredoc = <<EOT
hello
EOT
  unsorted = { b = var.b, a = var.a }
}

locals {
  map = {
    a = var.a
    b = "x"
  }
}
`
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	if len(diags) > 0 {
		t.Fatal(diags.Error())
	}
	want := map[string]blueprint.Value{
		"s":        blueprint.String("plain"),
		"n":        blueprint.Int(-3),
		"b":        blueprint.Bool(true),
		"ref":      blueprint.Ref("var.x"),
		"idx":      blueprint.Ref("azurerm_kubernetes_cluster.aks.kube_config[0].host"),
		"strkey":   blueprint.Ref(`var.m["k"]`),
		"list":     blueprint.List(blueprint.Ref("var.a"), blueprint.String("b")),
		"tmpl":     blueprint.Expr(`"${var.a}-x"`),
		"call":     blueprint.Expr("upper(var.a)"),
		"heredoc":  blueprint.Expr("<<EOT\nhello\nEOT"),
		"unsorted": blueprint.Expr("{ b = var.b, a = var.a }"),
		"map":      blueprint.Map(map[string]blueprint.Value{"a": blueprint.Ref("var.a"), "b": blueprint.String("x")}),
	}
	kinds := map[string]blueprint.ValueKind{"nul": blueprint.LiteralKind, "tup": blueprint.LiteralKind, "obj": blueprint.LiteralKind}
	var names []string
	for _, l := range b.Locals {
		names = append(names, l.Name)
		if k, ok := kinds[l.Name]; ok {
			if l.Value.Kind != k {
				t.Errorf("%s: kind %s, want %s", l.Name, l.Value.Kind, k)
			}
			continue
		}
		w, ok := want[l.Name]
		if !ok {
			t.Errorf("unexpected local %s", l.Name)
			continue
		}
		got, _ := json.Marshal(l.Value)
		exp, _ := json.Marshal(w)
		if string(got) != string(exp) {
			t.Errorf("%s: got %s, want %s", l.Name, got, exp)
		}
	}
	if len(names) != 15 || names[0] != "s" || names[14] != "map" {
		t.Errorf("locals out of source order: %v", names)
	}
}

// FuzzImport: Import never panics, and a configuration it takes in full generates. Seeds
// are the import corpus, and each way HCL nests just within and just past the limit.
func FuzzImport(f *testing.F) {
	dirs, _ := filepath.Glob("testdata/import/*/*.tf")
	for _, p := range dirs {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add(moduleConfig["infra/main.tf"])
	for _, n := range []int{hcllimit.MaxNesting - 2, hcllimit.MaxNesting + 1} {
		for _, expr := range deepExpressions(n) {
			f.Add([]byte("locals {\n  x = " + expr + "\n}\n"))
		}
		f.Add([]byte("resource \"terraform_data\" \"a\" {\n" + strings.Repeat("b {\n", n) + strings.Repeat("}\n", n+1)))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		b, diags := blueprint.Import(map[string][]byte{"main.tf": src})
		if len(diags) > 0 {
			return
		}
		b.Name = "fuzz"
		files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
		if err != nil {
			t.Fatalf("imported without diagnostics, but does not generate: %v\n%s", err, src)
		}
		again, diags := blueprint.Import(generatedConfig(files))
		if len(diags) > 0 {
			t.Fatalf("generated files do not import cleanly:\n%s\n%s", diags.Error(), src)
		}
		again.Name = "fuzz"
		d1, err1 := b.MarshalDocument()
		d2, err2 := again.MarshalDocument()
		if err1 == nil && err2 == nil && string(d1) != string(d2) {
			t.Fatalf("import is not idempotent:\n%s", cmp.Diff(string(d1), string(d2)))
		}
	})
}
