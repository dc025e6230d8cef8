package blueprint_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
)

// importTF runs the import users get (Import, Complete, Validate) on one main.tf and fails
// on any error.
func importTF(t *testing.T, src string) (*blueprint.Blueprint, blueprint.Diagnostics, string) {
	t.Helper()
	cat := testCatalog(t)
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	if diags.HasErrors() {
		t.Fatalf("import errors:\n%s", diags.Errors().Error())
	}
	b.Name = "imported"
	diags = append(diags, blueprint.Complete(b, cat)...)
	diags = append(diags, blueprint.Validate(b, cat)...)
	if diags.HasErrors() {
		t.Fatalf("validation errors:\n%s", diags.Errors().Error())
	}
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range files {
		all.Write(f.Content)
	}
	return b, diags, all.String()
}

// severityAt is the severity and summary of every diagnostic by path.
func severityAt(diags blueprint.Diagnostics) map[string]string {
	out := map[string]string{}
	for _, d := range diags {
		out[d.Path] = string(d.Severity) + ": " + d.Summary
	}
	return out
}

func TestCompleteMakesImpliedProvidersExplicit(t *testing.T) {
	t.Parallel()
	b, diags, hcl := importTF(t, `
terraform {
  required_providers {
    random = { source = "hashicorp/random", version = ">= 3.0" }
  }
}
resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
}
resource "random_pet" "name" {}
data "kubernetes_namespace_v1" "default" {
  metadata { name = "default" }
}
resource "terraform_data" "marker" {}
`)
	azurerm := testCatalog(t).Provider("hashicorp/azurerm")
	kubernetes := testCatalog(t).Provider("hashicorp/kubernetes")
	major := func(v string) string { p := strings.SplitN(v, ".", 3); return "~> " + p[0] + "." + p[1] }
	want := []blueprint.RequiredProvider{
		{Name: "azurerm", Source: "hashicorp/azurerm", Version: major(azurerm.Version)},
		{Name: "kubernetes", Source: "hashicorp/kubernetes", Version: major(kubernetes.Version)},
		{Name: "random", Source: "hashicorp/random", Version: ">= 3.0"}, // stated: kept as written
	}
	if diff := cmp.Diff(want, b.RequiredProviders); diff != "" {
		t.Errorf("required providers (-want +got):\n%s", diff)
	}
	got := severityAt(diags)
	for _, name := range []string{"azurerm", "kubernetes"} {
		if !strings.HasPrefix(got["required_providers["+name+"]"], "note: added required provider "+name) {
			t.Errorf("no note for the implied %s: %q", name, got["required_providers["+name+"]"])
		}
	}
	for path, d := range got {
		if strings.Contains(path, "random") || strings.Contains(path, "terraform") {
			t.Errorf("unexpected diagnostic for a stated or builtin provider: %s %s", path, d)
		}
	}
	// azurerm has no provider block: a child module's configuration. A plan needs one, so
	// it is noted, never refused.
	if got["providers"] != "note: azurerm needs a provider configuration" {
		t.Errorf("providers: %q", got["providers"])
	}
	if !strings.Contains(hcl, `source  = "hashicorp/azurerm"`) {
		t.Errorf("the generated terraform block does not pin azurerm:\n%s", hcl)
	}
}

func TestCompleteNamesProvidersOutsideTheCatalog(t *testing.T) {
	t.Parallel()
	cat := testCatalog(t)
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(`resource "aws_s3_bucket" "b" {}
resource "azurerm_resource_group" "main" {
  provider = azurerm.west
  name     = "rg"
  location = "westeurope"
}
provider "azurerm" {
  alias = "west"
  features {}
}
`)})
	if len(diags) > 0 {
		t.Fatalf("import: %s", diags.Error())
	}
	notes := blueprint.Complete(b, cat)
	want := []blueprint.RequiredProvider{
		{Name: "aws", Source: "hashicorp/aws"},
		{Name: "azurerm", Source: "hashicorp/azurerm", Version: "~> " + strings.Join(strings.SplitN(cat.Provider("hashicorp/azurerm").Version, ".", 3)[:2], ".")},
	}
	if diff := cmp.Diff(want, b.RequiredProviders); diff != "" {
		t.Errorf("required providers (-want +got):\n%s", diff)
	}
	if len(notes) != 2 || notes.HasErrors() || !strings.Contains(notes[0].Detail, "no version is pinned") {
		t.Errorf("notes:\n%s", notes.Error())
	}
	// The provider outside the catalog cannot be checked: Validate says so, as a warning.
	v := blueprint.Validate(b, cat)
	if v.HasErrors() || !strings.Contains(v.Error(), "provider hashicorp/aws is not in the catalog") {
		t.Errorf("validate:\n%s", v.Error())
	}
	if again := blueprint.Complete(b, cat); len(again) != 0 {
		t.Errorf("a second Complete changed something: %s", again.Error())
	}
}

// TestImportKeepsLiteralsTerraformConverts: Terraform converts strings, numbers and bools
// into each other wherever a literal is; import and validation accept each as written (a
// note says how Terraform reads it), and the generated code keeps it as written.
func TestImportKeepsLiteralsTerraformConverts(t *testing.T) {
	t.Parallel()
	_, diags, hcl := importTF(t, `
provider "azurerm" {
  features {}
}
resource "azurerm_network_security_rule" "rdp" {
  name                        = "rdp"
  resource_group_name         = "rg"
  network_security_group_name = "nsg"
  priority                    = "100"
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = 3389
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
}
resource "azurerm_public_ip" "pip" {
  name                = "pip"
  resource_group_name = "rg"
  location            = "westeurope"
  allocation_method   = "Static"
  zones               = [1, 2]
  ddos_protection_mode = "VirtualNetworkInherited"
}
resource "azurerm_container_group" "cg" {
  name                = "cg"
  resource_group_name = "rg"
  location            = "westeurope"
  os_type             = "Linux"
  container {
    name   = "app"
    image  = "nginx"
    cpu    = "0.5"
    memory = "1.5"
  }
}
resource "azurerm_storage_account" "sa" {
  name                       = "sa"
  resource_group_name        = "rg"
  location                   = "westeurope"
  account_tier               = "Standard"
  account_replication_type   = "LRS"
  https_traffic_only_enabled = "true"
}
`)
	got := severityAt(diags)
	for path, want := range map[string]string{
		"resources[azurerm_network_security_rule.rdp].priority":               `note: Terraform reads the string "100" as the number 100`,
		"resources[azurerm_network_security_rule.rdp].destination_port_range": `note: Terraform reads the number 3389 as the string "3389"`,
		"resources[azurerm_public_ip.pip].zones[0]":                           `note: Terraform reads the number 1 as the string "1"`,
		"resources[azurerm_container_group.cg].container[0].cpu":              `note: Terraform reads the string "0.5" as the number 0.5`,
		"resources[azurerm_storage_account.sa].https_traffic_only_enabled":    `note: Terraform reads the string "true" as the bool true`,
	} {
		if got[path] != want {
			t.Errorf("%s: got %q, want %q", path, got[path], want)
		}
	}
	for _, kept := range []string{`priority                    = "100"`, `destination_port_range      = 3389`, `zones                = [1, 2]`, `cpu    = "0.5"`, `https_traffic_only_enabled = "true"`} {
		if !strings.Contains(hcl, kept) {
			t.Errorf("generated code does not keep %s as written:\n%s", kept, hcl)
		}
	}
}

// TestValidateRefusesWhatTerraformCannotConvert: a literal no conversion makes fit stays an
// error, as terraform validate reports it ("Incorrect attribute value type").
func TestValidateRefusesWhatTerraformCannotConvert(t *testing.T) {
	t.Parallel()
	cat := testCatalog(t)
	for name, tt := range map[string]struct{ value, summary string }{
		"a word for a number": {`"abc"`, `expected a number, got the string "abc"`},
		"a bool for a number": {`true`, `expected a number, got the bool true`},
		"a list for a number": {`[1]`, `expected a number, got a list`},
	} {
		t.Run(name, func(t *testing.T) {
			b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(`
resource "azurerm_network_security_rule" "rdp" {
  name                        = "rdp"
  resource_group_name         = "rg"
  network_security_group_name = "nsg"
  priority                    = ` + tt.value + `
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
}
`)})
			diags = append(diags, blueprint.Complete(b, cat)...)
			diags = append(diags, blueprint.Validate(b, cat)...)
			errs := diags.Errors()
			if len(errs) != 1 || errs[0].Path != "resources[azurerm_network_security_rule.rdp].priority" || errs[0].Summary != tt.summary {
				t.Errorf("want one error %q at priority, got:\n%s", tt.summary, diags.Error())
			}
		})
	}
}

// TestImportConvertsLegacySyntax: quoted references (depends_on, ignore_changes, provider),
// quoted type constraints, version-only required_providers and a provider block's version
// become the modern form, each with a note saying so; nothing is refused.
func TestImportConvertsLegacySyntax(t *testing.T) {
	t.Parallel()
	b, diags, hcl := importTF(t, `
terraform {
  required_providers {
    azurerm = "~> 5.0"
    random  = { version = ">= 3.0" }
  }
}
provider "azurerm" {
  features {}
}
provider "azurerm" {
  alias   = "west"
  version = "~> 5.2"
  features {}
}
variable "names" {
  type = "list"
}
variable "location" {
  type    = "string"
  default = "westeurope"
}
resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = var.location
  provider = "azurerm.west"
  lifecycle {
    ignore_changes = ["tags", "location"]
  }
}
resource "random_pet" "name" {
  depends_on = ["azurerm_resource_group.main"]
}
output "rg" {
  value      = azurerm_resource_group.main.id
  depends_on = ["random_pet.name"]
}
`)
	want := map[string]string{
		"required_providers[azurerm]":                                        "note: legacy required provider converted",
		"required_providers[random]":                                         "note: required provider source added",
		"variables[names].type":                                              "note: quoted type constraint converted",
		"variables[location].type":                                           "note: quoted type constraint converted",
		"resources[azurerm_resource_group.main].provider":                    "note: quoted reference converted",
		"resources[azurerm_resource_group.main].lifecycle.ignore_changes[0]": "note: quoted reference converted",
		"resources[azurerm_resource_group.main].lifecycle.ignore_changes[1]": "note: quoted reference converted",
		"resources[random_pet.name].depends_on[0]":                           "note: quoted reference converted",
		"outputs[rg].depends_on[0]":                                          "note: quoted reference converted",
		"providers[azurerm.west].version":                                    "note: provider version moved to required_providers",
	}
	if diff := cmp.Diff(want, severityAt(diags)); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s\nall:\n%s", diff, diags.Error())
	}
	if b.Variables[0].Type != "list(string)" || b.Variables[1].Type != "string" {
		t.Errorf("types: %q, %q", b.Variables[0].Type, b.Variables[1].Type)
	}
	wantRP := []blueprint.RequiredProvider{
		{Name: "azurerm", Source: "hashicorp/azurerm", Version: "~> 5.0, ~> 5.2"}, // as Terraform combines them
		{Name: "random", Source: "hashicorp/random", Version: ">= 3.0"},
	}
	if diff := cmp.Diff(wantRP, b.RequiredProviders); diff != "" {
		t.Errorf("required providers (-want +got):\n%s", diff)
	}
	for _, modern := range []string{"provider = azurerm.west", "ignore_changes = [tags, location]", "type = list(string)", "depends_on = [azurerm_resource_group.main]", "depends_on = [random_pet.name]"} {
		if !strings.Contains(hcl, modern) {
			t.Errorf("generated code lacks %q:\n%s", modern, hcl)
		}
	}
	if strings.Contains(hcl, `"azurerm_resource_group.main"`) || strings.Contains(hcl, `"tags"`) {
		t.Errorf("a quoted reference survived:\n%s", hcl)
	}
}

// TestImportWarnsOfSensitiveOutputsAPlanRefuses: terraform validate accepts an output of a
// sensitive value that is not marked sensitive; a plan refuses it. Import keeps it, with a
// warning that says so and how to fix it.
func TestImportWarnsOfSensitiveOutputsAPlanRefuses(t *testing.T) {
	t.Parallel()
	_, diags, _ := importTF(t, `
provider "azurerm" {
  features {}
}
variable "password" {
  type      = string
  sensitive = true
}
resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
}
data "azurerm_kubernetes_cluster" "aks" {
  name                = "aks"
  resource_group_name = azurerm_resource_group.main.name
}
output "kube_config" {
  value = data.azurerm_kubernetes_cluster.aks.kube_config_raw
}
output "password" {
  value = var.password
}
`)
	for _, name := range []string{"kube_config", "password"} {
		ds := diags.At("outputs[" + name + "]")
		if len(ds) != 1 || ds[0].Severity != blueprint.Warning || !strings.Contains(ds[0].Detail, "a plan will refuse it") || !strings.Contains(ds[0].Detail, "sensitive = true") {
			t.Errorf("output %s: want one warning that a plan refuses it, got:\n%s", name, ds.Error())
		}
	}
}
