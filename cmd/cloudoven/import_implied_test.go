package main

import (
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
)

// TestImportMakesImpliedProvidersExplicit: a configuration as a provider's docs write it
// (no terraform block, no provider block) imports; the document pins the implied provider
// to the catalog's version, and the notes say so on stderr.
func TestImportMakesImpliedProvidersExplicit(t *testing.T) {
	dir := importDir(t, map[string]string{"main.tf": `resource "azurerm_resource_group" "example" {
  name     = "example-resources"
  location = "West Europe"
}
`})
	stdout, stderr, err := runCLI(t, "import", "-dir", dir, "-name", "demo")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	b, err := blueprint.ParseDocument([]byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.RequiredProviders) != 1 || b.RequiredProviders[0] != (blueprint.RequiredProvider{Name: "azurerm", Source: "hashicorp/azurerm", Version: "~> 5.2"}) {
		t.Errorf("the document does not pin azurerm: %+v", b.RequiredProviders)
	}
	for _, want := range []string{
		"Note: added required provider azurerm = hashicorp/azurerm\n\n  on required_providers[azurerm]\n",
		"Note: azurerm needs a provider configuration\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "Error") {
		t.Errorf("an error for a configuration terraform validate accepts:\n%s", stderr)
	}
}
