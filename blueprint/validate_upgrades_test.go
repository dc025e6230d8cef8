package blueprint_test

import (
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestDidYouMeanPrefersGuideRename: an argument or block the provider's upgrade guides
// renamed points at its new name, not at the nearest spelling; a removed type says what
// replaced it.
func TestDidYouMeanPrefersGuideRename(t *testing.T) {
	cat := testenv.Catalog(t)
	src := `terraform {
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

resource "azurerm_monitor_diagnostic_setting" "d" {
  name                       = "d"
  target_resource_id         = "x"
  log_analytics_workspace_id = "y"

  log {
    category = "kube-apiserver"
  }
}

resource "azurerm_storage_account" "s" {
  name                     = "s"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
  allow_blob_public_access = false
}

resource "azurerm_app_service" "web" {
  name = "web"
}
`
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := map[string]string{}
	for _, d := range blueprint.Validate(b, cat).Errors() {
		got[d.Path] = d.Detail
	}
	want := map[string]string{
		"resources[azurerm_monitor_diagnostic_setting.d].log[0]":        `Did you mean "enabled_log"? The provider's 4.0 upgrade guide renamed log to enabled_log.`,
		"resources[azurerm_storage_account.s].allow_blob_public_access": `Did you mean "allow_nested_items_to_be_public"?`,
		"resources[azurerm_app_service.web].type":                       "replaced it with azurerm_linux_web_app or azurerm_windows_web_app",
	}
	for path, w := range want {
		if !strings.Contains(got[path], w) {
			t.Errorf("%s: %q, want it to say %q", path, got[path], w)
		}
	}
}
