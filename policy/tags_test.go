package policy_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/policy"
)

func TestRequiredTags(t *testing.T) {
	rule := policy.Rule{ID: "required-tags", Tags: []string{"owner", "environment"}}
	runRuleCases(t, []ruleCase{
		{name: "no tags", rule: rule, src: `
resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
}
`, paths: []string{"resources[azurerm_resource_group.main].tags"}},
		{name: "a tag missing", rule: rule, src: `
resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
  tags = {
    owner = "platform"
  }
}
`, paths: []string{"resources[azurerm_resource_group.main].tags"}},
		{name: "all tags, any case, values from variables", rule: rule, src: `
resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
  tags = {
    Owner       = "platform"
    environment = var.environment
  }
}
`},
		{name: "tags from a variable cannot be told", rule: rule, src: `
resource "azurerm_resource_group" "main" {
  name     = "rg"
  location = "westeurope"
  tags     = merge(var.tags, { app = "web" })
}
`},
		{name: "types without tags are skipped", rule: rule, src: `
resource "azurerm_subnet" "main" {
  name                 = "snet"
  resource_group_name  = "rg"
  virtual_network_name = "vnet"
  address_prefixes     = ["10.0.0.0/24"]
}

resource "random_password" "p" {
  length = 16
}
`},
		{name: "kubernetes labels", rule: rule, src: `
resource "kubernetes_namespace_v1" "apps" {
  metadata {
    name = "apps"
    labels = {
      owner = "platform"
    }
  }
}

resource "kubernetes_namespace_v1" "tagged" {
  metadata {
    name = "tagged"
    labels = {
      owner       = "platform"
      environment = "dev"
    }
  }
}
`, paths: []string{"resources[kubernetes_namespace_v1.apps].metadata[0].labels"}},
	})
}
