package blueprint_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
)

// ruleDiagnostics imports one resource (with its provider required) and validates it
// against the embedded catalog, keeping the findings of the docs' rules as
// "severity path: summary".
func ruleDiagnostics(t *testing.T, hcl string) []string {
	t.Helper()
	provider, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(hcl), `resource "`), "_")
	src := `terraform {
  required_providers {
    ` + provider + ` = { source = "hashicorp/` + provider + `" }
  }
}
` + hcl
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	if b == nil {
		t.Fatalf("import: %v", diags)
	}
	var out []string
	for _, d := range blueprint.Validate(b, testCatalog(t)) {
		if strings.HasPrefix(d.Detail, blueprint.DocsDetailPrefix) {
			out = append(out, string(d.Severity)+" "+d.Path+": "+d.Summary)
		}
	}
	return out
}

func TestValidateRulesOfTheDocs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, hcl string
		want      []string
	}{
		{
			name: "a value outside the enumeration",
			hcl: `resource "azurerm_kubernetes_cluster" "aks" {
  sku_tier = "Gold"
  identity { type = "SystemAssigned" }
}`,
			want: []string{`error resources[azurerm_kubernetes_cluster.aks].sku_tier: sku_tier: "Gold" is not one of Free, Standard, Premium`},
		},
		{
			name: "an allowed value",
			hcl: `resource "azurerm_kubernetes_cluster" "aks" {
  sku_tier = "Standard"
  identity { type = "SystemAssigned" }
}`,
		},
		{
			name: "a value that differs only in case is left to the provider",
			hcl: `resource "azurerm_kubernetes_cluster" "aks" {
  sku_tier = "standard"
  identity { type = "SystemAssigned" }
}`,
		},
		{
			name: "values known only at plan are never flagged",
			hcl: `resource "azurerm_kubernetes_cluster" "aks" {
  sku_tier   = var.tier
  dns_prefix = "${var.prefix}_aks"
  identity {
    type = upper("systemassigned")
  }
}`,
		},
		{
			name: "inside a nested block",
			hcl: `resource "azurerm_kubernetes_cluster" "aks" {
  identity { type = "Managed" }
}`,
			want: []string{`error resources[azurerm_kubernetes_cluster.aks].identity[0].type: type: "Managed" is not one of SystemAssigned, UserAssigned`},
		},
		{
			name: "a number out of range, given as a string Terraform converts",
			hcl:  `resource "azurerm_log_analytics_workspace" "law" { retention_in_days = "10" }`,
			want: []string{`error resources[azurerm_log_analytics_workspace.law].retention_in_days: retention_in_days: 10 is not between 30 and 730`},
		},
		{
			name: "a number in range",
			hcl:  `resource "azurerm_log_analytics_workspace" "law" { retention_in_days = 30 }`,
		},
		{
			name: "characters the docs do not allow, and a length beyond theirs",
			hcl: `resource "azurerm_kubernetes_cluster" "aks" {
  dns_prefix = "my_cluster-with-a-prefix-far-longer-than-the-docs-allow-it"
  identity { type = "SystemAssigned" }
}`,
			want: []string{
				`error resources[azurerm_kubernetes_cluster.aks].dns_prefix: dns_prefix: "my_cluster-with-a-prefix-far-longer-than-the-docs-allow-it" is 58 characters long; the docs allow 1 to 54 characters`,
				`error resources[azurerm_kubernetes_cluster.aks].dns_prefix: dns_prefix: "my_cluster-with-a-prefix-far-longer-than-the-docs-allow-it" has characters the docs do not allow there`,
			},
		},
		{
			name: "each element of a set of strings",
			hcl:  `resource "azurerm_cdn_frontdoor_route" "r" { supported_protocols = ["Https", "Ftp"] }`,
			want: []string{`error resources[azurerm_cdn_frontdoor_route.r].supported_protocols[1]: supported_protocols: "Ftp" is not one of Http, Https`},
		},
		{
			name: "an attribute of a list of objects written as a block",
			hcl: `resource "azurerm_network_security_group" "nsg" {
  security_rule {
    name      = "ssh"
    access    = "Permit"
    direction = "Inbound"
    priority  = 5000
  }
}`,
			want: []string{
				`error resources[azurerm_network_security_group.nsg].security_rule[0].access: access: "Permit" is not one of Allow, Deny`,
				`error resources[azurerm_network_security_group.nsg].security_rule[0].priority: priority: 5000 is not between 100 and 4096`,
			},
		},
		{
			name: "two arguments the docs say conflict",
			hcl: `resource "azurerm_api_management_subscription" "s" {
  api_id     = "a"
  product_id = "p"
}`,
			want: []string{
				`error resources[azurerm_api_management_subscription.s].api_id: api_id conflicts with product_id`,
				`error resources[azurerm_api_management_subscription.s].product_id: product_id conflicts with api_id`,
			},
		},
		{
			name: "a conflicting bool set to false does not conflict",
			hcl: `resource "azurerm_storage_container_immutability_policy" "p" {
  protected_append_writes_all_enabled = false
  protected_append_writes_enabled     = true
}`,
		},
		{
			name: "required when another argument has a value",
			hcl: `resource "azurerm_kubernetes_cluster" "aks" {
  identity { type = "UserAssigned" }
}`,
			want: []string{`warning resources[azurerm_kubernetes_cluster.aks].identity[0].identity_ids: identity_ids is required when type = UserAssigned`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, ruleDiagnostics(t, tt.hcl)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRuleDiagnosticQuotesTheDocs: the detail quotes the sentence the rule came from.
func TestRuleDiagnosticQuotesTheDocs(t *testing.T) {
	t.Parallel()
	src := `terraform {
  required_providers {
    azurerm = { source = "hashicorp/azurerm" }
  }
}
resource "azurerm_kubernetes_cluster" "aks" { sku_tier = "Gold" }`
	b, _ := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	for _, d := range blueprint.Validate(b, testCatalog(t)) {
		if d.Path == "resources[azurerm_kubernetes_cluster.aks].sku_tier" {
			want := "The docs: \u201cPossible values are `Free`, `Standard` (which includes the Uptime SLA) and `Premium`.\u201d"
			if d.Detail != want {
				t.Errorf("detail = %q, want %q", d.Detail, want)
			}
			return
		}
	}
	t.Error("no diagnostic on sku_tier")
}
