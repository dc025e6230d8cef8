package policy_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/policy"
)

const publicLB = `
resource "azurerm_public_ip" "lb" {
  name                = "pip-lb"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_lb" "main" {
  name                = "lb"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Standard"

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.lb.id
  }
}
`

func TestNoPublicLBIP(t *testing.T) {
	rule := policy.Rule{ID: "no-public-lb-ip"}
	runRuleCases(t, []ruleCase{
		{name: "public frontend", rule: rule, src: publicLB, paths: []string{
			"resources[azurerm_lb.main].frontend_ip_configuration[0].public_ip_address_id",
			"resources[azurerm_public_ip.lb]",
		}},
		{name: "allowed load balancer", rule: policy.Rule{ID: "no-public-lb-ip", Allow: []string{"azurerm_lb.main"}}, src: publicLB},
		{name: "internal frontend", rule: rule, src: `
resource "azurerm_lb" "main" {
  name                = "lb"
  location            = "westeurope"
  resource_group_name = "rg"

  frontend_ip_configuration {
    name                          = "internal"
    subnet_id                     = var.subnet_id
    private_ip_address_allocation = "Dynamic"
  }
}
`},
		{name: "public service", rule: rule, src: `
resource "kubernetes_service_v1" "web" {
  metadata {
    name = "web"
  }
  spec {
    type = "LoadBalancer"
    port {
      port = 80
    }
  }
}
`, paths: []string{"resources[kubernetes_service_v1.web].spec[0].type"}},
		{name: "internal service", rule: rule, src: `
resource "kubernetes_service_v1" "web" {
  metadata {
    name = "web"
    annotations = {
      "service.beta.kubernetes.io/azure-load-balancer-internal" = "true"
    }
  }
  spec {
    type = "LoadBalancer"
  }
}
`},
		{name: "annotations from a variable cannot be told", rule: rule, src: `
resource "kubernetes_service_v1" "web" {
  metadata {
    name        = "web"
    annotations = var.annotations
  }
  spec {
    type = "LoadBalancer"
  }
}
`},
	})
}

func TestHTTPSOnlyIngress(t *testing.T) {
	rule := policy.Rule{ID: "https-only-ingress"}
	gateway := func(rules string) string {
		return `
resource "azurerm_application_gateway" "main" {
  name                = "agw"
  location            = "westeurope"
  resource_group_name = "rg"

  http_listener {
    name                           = "http"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "http"
    protocol                       = "Http"
  }

  http_listener {
    name                           = "https"
    frontend_ip_configuration_name = "public"
    frontend_port_name             = "https"
    protocol                       = "Https"
    ssl_certificate_name           = "cert"
  }
` + rules + `
}
`
	}
	runRuleCases(t, []ruleCase{
		{name: "http listener routed to a backend", rule: rule, src: gateway(`
  request_routing_rule {
    name                       = "http"
    rule_type                  = "Basic"
    http_listener_name         = "http"
    backend_address_pool_name  = "pool"
    backend_http_settings_name = "settings"
  }
`), paths: []string{"resources[azurerm_application_gateway.main].http_listener[0].protocol"}},
		{name: "http listener redirected", rule: rule, src: gateway(`
  request_routing_rule {
    name                        = "http"
    rule_type                   = "Basic"
    http_listener_name          = "http"
    redirect_configuration_name = "to-https"
  }

  redirect_configuration {
    name                 = "to-https"
    redirect_type        = "Permanent"
    target_listener_name = "https"
  }
`)},
		{name: "ingress without tls", rule: rule, src: `
resource "kubernetes_ingress_v1" "web" {
  metadata {
    name = "web"
  }
  spec {
    rule {
      host = "web.example.com"
    }
  }
}
`, paths: []string{"resources[kubernetes_ingress_v1.web].spec[0].tls"}},
		{name: "ingress with tls", rule: rule, src: `
resource "kubernetes_ingress_v1" "web" {
  metadata {
    name = "web"
  }
  spec {
    tls {
      hosts       = ["web.example.com"]
      secret_name = "web-tls"
    }
  }
}
`},
		{name: "storage over http", rule: rule, src: `
resource "azurerm_storage_account" "insecure" {
  name                       = "insecure"
  https_traffic_only_enabled = false
}

resource "azurerm_storage_account" "secure" {
  name                       = "secure"
  https_traffic_only_enabled = true
}

resource "azurerm_storage_account" "default" {
  name = "default"
}
`, paths: []string{"resources[azurerm_storage_account.insecure].https_traffic_only_enabled"}},
	})
}
