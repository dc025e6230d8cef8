package blueprint_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
)

// moduleConfig is a configuration as a zip of its folder holds it: the root's files under
// infra/, a local module (with a module of its own), a registry module with a version and
// a providers map, count, for_each, depends_on on a module, and module outputs read by
// resources and outputs.
var moduleConfig = map[string][]byte{
	"infra/main.tf": []byte(`terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
  }
}

provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias = "west"
  features {}
}

resource "terraform_data" "after" {
  input = module.net.id

  depends_on = [module.aks]
}

module "net" {
  source = "./modules/net"

  name = "net-${var.env}"
}

module "zones" {
  source = "./modules/net"
  count  = 2

  name = "zone-${count.index}"
}

module "aks" {
  source   = "Azure/aks/azurerm"
  version  = "~> 9.0"
  for_each = toset(["a", "b"])
  providers = {
    azurerm = azurerm.west
  }

  prefix         = each.key
  vnet_subnet_id = module.net.subnet_ids[0]

  depends_on = [module.net]
}
`),
	"infra/variables.tf": []byte("variable \"env\" {\n  type    = string\n  default = \"dev\"\n}\n"),
	"infra/outputs.tf":   []byte("output \"zone_ids\" {\n  value = module.zones[*].id\n}\n\noutput \"kubelet\" {\n  value = module.aks[\"a\"].kubelet_identity\n}\n"),
	"infra/modules/net/main.tf": []byte(`variable "name" {
  type = string
}

module "tags" {
  source = "./tags"
}

resource "terraform_data" "net" {
  input = var.name
}

output "id" {
  value = terraform_data.net.id
}

output "subnet_ids" {
  value = [terraform_data.net.id]
}
`),
	"infra/modules/net/tags/main.tf": []byte("output \"tags\" {\n  value = {}\n}\n"),
	"infra/examples/basic/main.tf":   []byte("module \"net\" {\n  source = \"../../modules/net\"\n}\n"),
}

func TestImportModuleCalls(t *testing.T) {
	b, diags := blueprint.Import(moduleConfig)
	if diags.HasErrors() {
		t.Fatalf("import refused module calls:\n%s", diags.Error())
	}
	// The example folder is not called from the configuration: left out, and said so.
	var warnings []string
	for _, d := range diags {
		warnings = append(warnings, d.Path+": "+d.Summary)
	}
	if diff := cmp.Diff([]string{"infra/examples/basic/main.tf: file not imported"}, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	wantCalls := []string{"net ./modules/net", "zones ./modules/net", "aks Azure/aks/azurerm ~> 9.0"}
	var calls []string
	for _, m := range b.Modules {
		calls = append(calls, strings.TrimSpace(m.Name+" "+m.Source+" "+m.Version))
	}
	if diff := cmp.Diff(wantCalls, calls); diff != "" {
		t.Fatalf("module calls (-want +got):\n%s", diff)
	}
	aks := b.Module("aks")
	if aks.ForEach == nil || aks.ForEach.Expr != `toset(["a", "b"])` {
		t.Errorf("for_each: %+v", aks.ForEach)
	}
	if diff := cmp.Diff([]blueprint.ModuleProvider{{Name: "azurerm", Provider: "azurerm.west"}}, aks.Providers); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"module.net"}, aks.DependsOn); diff != "" {
		t.Errorf("depends_on (-want +got):\n%s", diff)
	}
	if v := aks.Inputs.Attribute("prefix"); v == nil || v.Ref != "each.key" {
		t.Errorf("input prefix: %+v", v)
	}
	if zones := b.Module("zones"); zones.Count == nil || !zones.Count.Literal.RawEquals(cty.NumberIntVal(2)) {
		t.Errorf("count: %+v", zones.Count)
	}
	var paths []string
	for _, mf := range b.ModuleFiles {
		paths = append(paths, mf.Path)
		if string(moduleConfig["infra/"+mf.Path]) != mf.Content {
			t.Errorf("%s is not kept as written", mf.Path)
		}
	}
	if diff := cmp.Diff([]string{"modules/net/main.tf", "modules/net/tags/main.tf"}, paths); diff != "" {
		t.Errorf("module files (-want +got):\n%s", diff)
	}
	if diags := blueprint.Validate(b, testCatalog(t)); diags.HasErrors() {
		t.Errorf("the imported blueprint does not validate:\n%s", diags.Errors().Error())
	}

	// Generated back as written, and the same again through another import.
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byName := filesByName(files)
	for _, want := range []string{
		"module \"aks\" {\n  source   = \"Azure/aks/azurerm\"\n  version  = \"~> 9.0\"\n  for_each = toset([\"a\", \"b\"])\n  providers = {\n    azurerm = azurerm.west\n  }\n",
		"  vnet_subnet_id = module.net.subnet_ids[0]\n\n  depends_on = [module.net]\n}\n",
		"  input = module.net.id\n\n  depends_on = [module.aks]\n",
	} {
		if !strings.Contains(byName["main.tf"], want) {
			t.Errorf("main.tf lacks\n%s\nin\n%s", want, byName["main.tf"])
		}
	}
	if byName["modules/net/tags/main.tf"] != string(moduleConfig["infra/modules/net/tags/main.tf"]) {
		t.Errorf("the nested module's file is not generated as written: %q", byName["modules/net/tags/main.tf"])
	}
	for _, f := range files {
		if _, hd := hclsyntax.ParseConfig(f.Content, f.Name, hcl.InitialPos); hd.HasErrors() {
			t.Errorf("generated %s does not parse: %s", f.Name, hd.Error())
		}
	}
	again, diags := blueprint.Import(generatedConfig(files))
	if len(diags) > 0 {
		t.Errorf("re-import diagnostics:\n%s", diags.Error())
	}
	doc1, _ := b.MarshalDocument()
	doc2, _ := again.MarshalDocument()
	if diff := cmp.Diff(string(doc1), string(doc2)); diff != "" {
		t.Errorf("import of the generated files differs (-first +second):\n%s", diff)
	}

	// The document keeps the calls and the files.
	parsed, err := blueprint.ParseDocument(doc1)
	if err != nil {
		t.Fatal(err)
	}
	doc3, _ := parsed.MarshalDocument()
	if !bytes.Equal(doc1, doc3) {
		t.Errorf("the document does not round-trip:\n%s\n---\n%s", doc1, doc3)
	}

	// The zip holds the module files in their folders.
	var buf bytes.Buffer
	if err := blueprint.WriteZip(&buf, files); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, f := range zr.File {
		entries = append(entries, f.Name)
	}
	if diff := cmp.Diff([]string{"README.md", "main.tf", "modules/net/main.tf", "modules/net/tags/main.tf", "outputs.tf", "variables.tf"}, entries); diff != "" {
		t.Errorf("zip entries (-want +got):\n%s", diff)
	}
}

func TestImportModuleProblems(t *testing.T) {
	_, diags := blueprint.Import(map[string][]byte{
		"main.tf": []byte(`module "nosource" {
  name = "x"
}

module "computed" {
  source = "./modules/${var.name}"
}

module "outside" {
  source = "../shared/net"
}

module "missing" {
  source = "./modules/missing"
}

module "labels" "two" {
  source = "./x"
}

module "blocks" {
  source = "Azure/network/azurerm"
  subnet {
  }
}
`),
		"modules/used/main.tf": []byte("module \"inner\" {\n  source = \"./deeper\"\n}\n"),
	})
	var got []string
	for _, d := range diags {
		got = append(got, string(d.Severity)+" "+d.Path+": "+d.Summary)
		if !strings.Contains(d.Detail, " ") {
			t.Errorf("%s: no fix in the detail", d)
		}
	}
	want := []string{
		"error modules[nosource].source: module call without source",
		"error modules[computed].source: source must be a literal string",
		"error modules[labels.two]: wrong number of labels",
		"warning modules[blocks].subnet: block skipped",
		"warning modules[outside].source: module folder outside the imported files",
		"warning modules[missing].source: module files not imported",
		"warning modules/used/main.tf: file not imported",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestRenameModule(t *testing.T) {
	b, diags := blueprint.Import(moduleConfig)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	n, err := blueprint.RenameModule(b, "net", "network")
	if err != nil {
		t.Fatal(err)
	}
	// after.input, aks.vnet_subnet_id, aks.depends_on.
	if n != 3 {
		t.Errorf("rewrote %d references, want 3", n)
	}
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	main := filesByName(files)["main.tf"]
	if strings.Contains(main, "module.net.") || strings.Contains(main, "module.net]") || !strings.Contains(main, "module \"network\"") ||
		!strings.Contains(main, "module.network.subnet_ids[0]") || !strings.Contains(main, "depends_on = [module.network]") {
		t.Errorf("references not renamed:\n%s", main)
	}
	if diags := blueprint.Validate(b, testCatalog(t)); diags.HasErrors() {
		t.Errorf("renamed blueprint does not validate:\n%s", diags.Errors().Error())
	}
	for _, tc := range []struct{ from, to, err string }{
		{"nope", "x", "no module call nope"},
		{"network", "zones", "the name zones is taken by another module call"},
		{"network", "1x", "invalid name"},
	} {
		if _, err := blueprint.RenameModule(b, tc.from, tc.to); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("RenameModule(%s, %s) = %v, want an error containing %q", tc.from, tc.to, err, tc.err)
		}
	}

	// Renaming a resource rewrites the references in module inputs too.
	b2 := &blueprint.Blueprint{
		Resources: []blueprint.Resource{{Mode: blueprint.ManagedMode, Type: "terraform_data", Name: "a"}},
		Modules: []blueprint.ModuleCall{{Name: "m", Source: "Azure/network/azurerm", DependsOn: []string{"terraform_data.a"},
			Inputs: blueprint.Body{Attributes: []blueprint.Attribute{{Name: "id", Value: blueprint.Ref("terraform_data.a.id")}}}}},
	}
	if n, err := blueprint.RenameResource(b2, "terraform_data.a", "b"); err != nil || n != 2 {
		t.Errorf("RenameResource = %d, %v; want 2 references", n, err)
	}
	if b2.Modules[0].Inputs.Attributes[0].Value.Ref != "terraform_data.b.id" || b2.Modules[0].DependsOn[0] != "terraform_data.b" {
		t.Errorf("module call not rewritten: %+v", b2.Modules[0])
	}
}

func TestReferenceCandidatesOfferModuleOutputs(t *testing.T) {
	b, diags := blueprint.Import(moduleConfig)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := map[string]int{}
	for _, c := range blueprint.ReferenceCandidates(b, testCatalog(t), "terraform_data.after", "input", cty.DynamicPseudoType) {
		if c.Kind == "module" {
			got[c.Ref] = c.Score
		}
	}
	// net's outputs are known from its files; zones needs an index; aks is a registry
	// module, whose outputs are unknown: the call itself is offered.
	want := map[string]int{"module.aks": 5, "module.net.id": 15, "module.net.subnet_ids": 15, "module.zones[0].id": 15, "module.zones[0].subnet_ids": 15}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("module candidates (-want +got):\n%s", diff)
	}
	// A module that reads from the resource, directly (net) or through another (aks
	// depends on net), is never offered: it would make a cycle.
	b.Module("net").Inputs.Attributes = append(b.Module("net").Inputs.Attributes,
		blueprint.Attribute{Name: "seed", Value: blueprint.Ref("terraform_data.after.id")})
	var refs []string
	for _, c := range blueprint.ReferenceCandidates(b, testCatalog(t), "terraform_data.after", "subnet_id", cty.DynamicPseudoType) {
		if c.Kind == "module" {
			refs = append(refs, c.Ref)
		}
	}
	// subnet_ids fits subnet_id better than any other output.
	if diff := cmp.Diff([]string{"module.zones[0].subnet_ids", "module.zones[0].id"}, refs); diff != "" {
		t.Errorf("module candidates for subnet_id (-want +got):\n%s", diff)
	}
}

func TestRegistryModuleSource(t *testing.T) {
	for source, want := range map[string]bool{
		"Azure/aks/azurerm":                      true,
		"Azure/aks/azurerm//modules/node_pool":   true,
		"app.terraform.io/example/vnet/azurerm":  true,
		"./modules/net":                          false,
		"../net":                                 false,
		"github.com/Azure/terraform-azurerm-aks": false,
		"git::https://example.com/net.git":       false,
		"https://example.com/net.zip":            false,
		"Azure/aks":                              false,
		"":                                       false,
	} {
		if got := blueprint.IsRegistryModuleSource(source); got != want {
			t.Errorf("IsRegistryModuleSource(%q) = %v, want %v", source, got, want)
		}
	}
}

// The diff of two versions shows a changed module input in main.tf and a changed module
// file under its own name.
func TestDiffModuleCalls(t *testing.T) {
	b, diags := blueprint.Import(moduleConfig)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	from, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.Module("net").Inputs.Attributes[0].Value = blueprint.String("renamed")
	b.ModuleFiles[1].Content += "\noutput \"more\" {\n  value = 1\n}\n"
	to, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string]bool{}
	for _, d := range blueprint.DiffFiles(from, to) {
		if d.Changed {
			changed[d.Name] = true
		}
	}
	if diff := cmp.Diff(map[string]bool{"main.tf": true, "modules/net/tags/main.tf": true}, changed); diff != "" {
		t.Errorf("changed files (-want +got):\n%s", diff)
	}
}

func TestValidateFileCollidingWithAModuleFile(t *testing.T) {
	b := &blueprint.Blueprint{
		Name:        "x",
		ModuleFiles: []blueprint.ModuleFile{{Path: "modules/net/main.tf", Content: "variable \"x\" {}\n"}},
		Files:       []blueprint.BlueprintFile{blueprint.NewBlueprintFile("modules/net/Main.tf", []byte("# not a module file\n"))},
	}
	diags := blueprint.Validate(b, testCatalog(t))
	if !diags.At("files[0].path").HasErrors() {
		t.Errorf("a file with a module file's path was not refused; diagnostics: %v", diags)
	}
}
