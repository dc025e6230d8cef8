package blueprint_test

import (
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
)

// TestValidateNotesAProviderWithoutAVersion: a required provider without a version
// constraint is valid Terraform, but an upgrade of the providers could then cross a major
// version; validation says so, as a note on the version, with the catalog's version in the
// suggestion, and says nothing once a constraint is set.
func TestValidateNotesAProviderWithoutAVersion(t *testing.T) {
	cat := testCatalog(t)
	b := &blueprint.Blueprint{Name: "x",
		RequiredProviders: []blueprint.RequiredProvider{{Name: "azurerm", Source: "hashicorp/azurerm"}}}
	var note *blueprint.Diagnostic
	for _, d := range blueprint.Validate(b, cat) {
		if d.Path == "required_providers[0].version" {
			note = &d
		}
	}
	if note == nil || note.Severity != blueprint.Note || !strings.Contains(note.Summary, "azurerm has no version constraint") ||
		!strings.Contains(note.Detail, `"~> 5.2"`) {
		t.Fatalf("no note on the missing version: %+v", note)
	}
	b.RequiredProviders[0].Version = "~> 5.2"
	for _, d := range blueprint.Validate(b, cat) {
		if d.Path == "required_providers[0].version" {
			t.Errorf("a constrained provider: %s", d)
		}
	}
}
