package policy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/policy"
	"github.com/cloudoven/cloudoven/starters"
)

// testCatalog is the embedded catalog, loaded once per test binary.
func testCatalog(t testing.TB) *catalog.Catalog { return testenv.Catalog(t) }

// importHCL builds a blueprint from Terraform source, failing on any import diagnostic.
func importHCL(t *testing.T, src string) *blueprint.Blueprint {
	t.Helper()
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	if len(diags) > 0 {
		t.Fatalf("import: %s", diags.Error())
	}
	b.Name = "test"
	return b
}

// only is a rule set with just one rule on.
func only(rule policy.Rule) policy.Rules {
	return policy.Rules{Rules: []policy.Rule{rule}}
}

func TestDefaultRules(t *testing.T) {
	rs := policy.DefaultRules()
	var ids []string
	for _, r := range rs.Rules {
		ids = append(ids, r.ID)
		if !r.On() {
			t.Errorf("%s is off by default", r.ID)
		}
		if len(r.Allow) > 0 {
			t.Errorf("%s allows %v by default", r.ID, r.Allow)
		}
	}
	want := []string{"no-public-lb-ip", "required-tags", "https-only-ingress", "allowed-registries", "helm-resource-limits", "no-privileged-containers"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
	tags, _ := rs.Rule("required-tags")
	if diff := cmp.Diff([]string{"owner", "environment"}, tags.Tags); diff != "" {
		t.Errorf("required tags (-want +got):\n%s", diff)
	}
}

func TestEveryRuleIsDescribed(t *testing.T) {
	for _, r := range policy.DefaultRules().Rules {
		if d := policy.Describe(r.ID); d == "" || !strings.HasSuffix(d, ".") {
			t.Errorf("rule %s is described as %q; want a sentence", r.ID, d)
		}
	}
	if d := policy.Describe("no-such-rule"); d != "" {
		t.Errorf("an unknown rule is described as %q", d)
	}
}

func TestParseRulesOverridesDefaults(t *testing.T) {
	rs, err := policy.ParseRules([]byte(`{"rules": [
		{"id": "required-tags", "tags": ["cost-center"]},
		{"id": "helm-resource-limits", "enabled": false},
		{"id": "no-public-lb-ip", "allow": ["azurerm_lb.public"]}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != 6 {
		t.Fatalf("got %d rules, want all 6 (unmentioned rules keep their defaults)", len(rs.Rules))
	}
	tags, _ := rs.Rule("required-tags")
	if diff := cmp.Diff([]string{"cost-center"}, tags.Tags); diff != "" || !tags.On() {
		t.Errorf("required-tags = %+v", tags)
	}
	if helm, _ := rs.Rule("helm-resource-limits"); helm.On() {
		t.Errorf("helm-resource-limits is still on")
	}
	if lb, _ := rs.Rule("no-public-lb-ip"); !lb.On() || len(lb.Allow) != 1 {
		t.Errorf("no-public-lb-ip = %+v", lb)
	}
	if priv, _ := rs.Rule("no-privileged-containers"); !priv.On() {
		t.Errorf("an unmentioned rule was turned off")
	}

	empty, err := policy.ParseRules([]byte(`{"rules": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(policy.DefaultRules(), empty); diff != "" {
		t.Errorf("an empty file is not the defaults (-want +got):\n%s", diff)
	}
}

func TestParseRulesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"not json", `rules:`, "rules file: invalid character"},
		{"empty", ``, "empty input"},
		{"missing rules", `{}`, `missing "rules"`},
		{"unknown top-level field", `{"rules": [], "version": 2}`, `unknown field "version"`},
		{"trailing data", `{"rules": []} {}`, "unexpected data after the JSON value"},
		{"unknown rule id", `{"rules": [{"id": "required-tag"}]}`, `rules[0]: unknown rule id "required-tag"; did you mean "required-tags"?`},
		{"missing id", `{"rules": [{"enabled": true}]}`, "rules[0]: missing id"},
		{"unknown rule field", `{"rules": [{"id": "required-tags", "tag": ["owner"]}]}`, `rules[0]: json: unknown field "tag"`},
		{"wrong type", `{"rules": [{"id": "required-tags", "enabled": "yes"}]}`, "rules[0]: json: cannot unmarshal string"},
		{"listed twice", `{"rules": [{"id": "required-tags"}, {"id": "required-tags"}]}`, "rules[1] (required-tags): rule listed twice, first at rules[0]"},
		{"tags on another rule", `{"rules": [{"id": "no-public-lb-ip", "tags": ["owner"]}]}`, `rules[0] (no-public-lb-ip): "tags" applies only to required-tags`},
		{"empty tags", `{"rules": [{"id": "required-tags", "tags": []}]}`, `"tags" is empty`},
		{"blank tag", `{"rules": [{"id": "required-tags", "tags": ["owner", " "]}]}`, "tags[1] is empty"},
		{"allow not an address", `{"rules": [{"id": "no-public-lb-ip", "allow": ["my lb"]}]}`, `allow[0] "my lb" is not a resource address`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ParseRules([]byte(tc.src))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// ruleCase is one example for one rule: the findings' paths it must give (none for a
// passing example).
type ruleCase struct {
	name  string
	rule  policy.Rule
	opts  policy.Options
	src   string
	paths []string
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := importHCL(t, tc.src)
			opts := tc.opts
			opts.Catalog = testCatalog(t)
			findings := policy.Check(b, only(tc.rule), opts)
			var paths []string
			for _, f := range findings {
				paths = append(paths, f.Path)
				if f.Rule != tc.rule.ID || f.Resource == "" || f.Message == "" || f.Fix == "" {
					t.Errorf("incomplete finding: %+v", f)
				}
				if !strings.HasPrefix(f.Path, "resources["+f.Resource+"]") {
					t.Errorf("path %s is not under %s", f.Path, f.Resource)
				}
			}
			if diff := cmp.Diff(tc.paths, paths); diff != "" {
				t.Errorf("finding paths (-want +got):\n%s\nfindings: %v", diff, findings)
			}
		})
	}
}

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

const deployment = `
resource "kubernetes_deployment_v1" "web" {
  metadata {
    name = "web"
  }
  spec {
    template {
      metadata {
        labels = {
          app = "web"
        }
      }
      spec {
        init_container {
          name  = "migrate"
          image = "myacr.azurecr.io/web/migrate:1.0"
        }
        container {
          name  = "web"
          image = "nginx:1.27"
          security_context {
            privileged                 = false
            allow_privilege_escalation = true
          }
        }
        container {
          name  = "sidecar"
          image = var.sidecar_image
          security_context {
            privileged = true
          }
        }
      }
    }
  }
}
`

const helmImages = `
resource "helm_release" "ingress" {
  name  = "ingress-nginx"
  chart = "ingress-nginx"
  set = [
    {
      name  = "controller.image.registry"
      value = "registry.k8s.io"
    },
    {
      name  = "controller.image.image"
      value = "ingress-nginx/controller"
    },
    {
      name  = "defaultBackend.image.repository"
      value = "myacr.azurecr.io/defaultbackend"
    },
    {
      name  = "controller.admissionWebhooks.patch.image.registry"
      value = var.registry
    },
  ]
}
`

func TestAllowedRegistries(t *testing.T) {
	rule := policy.Rule{ID: "allowed-registries"}
	acr := policy.Options{AllowedRegistries: []string{"myacr.azurecr.io"}}
	runRuleCases(t, []ruleCase{
		{name: "no registries configured", rule: rule, src: deployment + helmImages},
		{name: "kubernetes images", rule: rule, opts: acr, src: deployment, paths: []string{
			"resources[kubernetes_deployment_v1.web].spec[0].template[0].spec[0].container[0].image",
		}},
		{name: "docker hub allowed by name", rule: rule, opts: policy.Options{AllowedRegistries: []string{"myacr.azurecr.io", "docker.io/library"}}, src: deployment},
		{name: "registry prefix on a path boundary", rule: rule, opts: acr, src: `
resource "kubernetes_pod_v1" "p" {
  metadata {
    name = "p"
  }
  spec {
    container {
      name  = "c"
      image = "myacr.azurecr.io.evil.example/app:1"
    }
  }
}
`, paths: []string{"resources[kubernetes_pod_v1.p].spec[0].container[0].image"}},
		{name: "helm images", rule: rule, opts: acr, src: helmImages, paths: []string{
			"resources[helm_release.ingress].set[0]",
		}},
		{name: "helm images from the registry", rule: rule, opts: policy.Options{AllowedRegistries: []string{"myacr.azurecr.io", "registry.k8s.io"}}, src: helmImages},
	})
}

func TestHelmResourceLimits(t *testing.T) {
	rule := policy.Rule{ID: "helm-resource-limits"}
	runRuleCases(t, []ruleCase{
		{name: "no limits", rule: rule, src: `
resource "helm_release" "keda" {
  name  = "keda"
  chart = "keda"
}
`, paths: []string{"resources[helm_release.keda]"}},
		{name: "cpu only", rule: rule, src: `
resource "helm_release" "keda" {
  name  = "keda"
  chart = "keda"
  set = [
    {
      name  = "resources.operator.limits.cpu"
      value = "1"
    },
    {
      name  = "resources.operator.requests.memory"
      value = "100Mi"
    },
  ]
}
`, paths: []string{"resources[helm_release.keda]"}},
		{name: "limits in set", rule: rule, src: `
resource "helm_release" "keda" {
  name  = "keda"
  chart = "keda"
  set = [
    {
      name  = "resources.operator.limits.cpu"
      value = var.cpu
    },
    {
      name  = "resources.operator.limits.memory"
      value = "1000Mi"
    },
  ]
}
`},
		{name: "limits in yaml values", rule: rule, src: `
resource "helm_release" "grafana" {
  name  = "grafana"
  chart = "grafana"
  values = [<<-EOT
    resources:
      limits:
        cpu: 500m
        memory: 512Mi
    EOT
  ]
}
`},
		{name: "limits in a local used by yamlencode", rule: rule, src: `
locals {
  limits = {
    limits = {
      cpu    = "1"
      memory = "1Gi"
    }
  }
}

resource "helm_release" "dapr" {
  name  = "dapr"
  chart = "dapr"
  values = [yamlencode({
    dapr_operator = {
      resources = local.limits
    }
  })]
}
`},
		{name: "values without limits", rule: rule, src: `
resource "helm_release" "grafana" {
  name   = "grafana"
  chart  = "grafana"
  values = [yamlencode({ replicas = 2 })]
}
`, paths: []string{"resources[helm_release.grafana]"}},
		{name: "values from a file cannot be told", rule: rule, src: `
resource "helm_release" "grafana" {
  name   = "grafana"
  chart  = "grafana"
  values = [file("values.yaml")]
}
`},
	})
}

func TestNoPrivilegedContainers(t *testing.T) {
	rule := policy.Rule{ID: "no-privileged-containers"}
	runRuleCases(t, []ruleCase{
		{name: "kubernetes containers", rule: rule, src: deployment, paths: []string{
			"resources[kubernetes_deployment_v1.web].spec[0].template[0].spec[0].container[0].security_context[0].allow_privilege_escalation",
			"resources[kubernetes_deployment_v1.web].spec[0].template[0].spec[0].container[1].security_context[0].privileged",
		}},
		{name: "unprivileged container", rule: rule, src: `
resource "kubernetes_pod_v1" "p" {
  metadata {
    name = "p"
  }
  spec {
    container {
      name  = "c"
      image = "myacr.azurecr.io/app:1"
      security_context {
        privileged                 = false
        allow_privilege_escalation = false
        run_as_non_root            = true
      }
    }
  }
}
`},
		{name: "helm privileged", rule: rule, src: `
resource "helm_release" "agent" {
  name  = "agent"
  chart = "agent"
  set = [
    {
      name  = "daemonset.securityContext.privileged"
      value = "true"
    },
    {
      name  = "agent.privileged"
      value = "false"
    },
  ]
}
`, paths: []string{"resources[helm_release.agent].set[0]"}},
	})
}

func TestDisabledRuleAndAllow(t *testing.T) {
	b := importHCL(t, publicLB)
	off := false
	if got := policy.Check(b, only(policy.Rule{ID: "no-public-lb-ip", Enabled: &off}), policy.Options{}); len(got) != 0 {
		t.Errorf("a disabled rule found %v", got)
	}
	if got := policy.Check(b, only(policy.Rule{ID: "no-public-lb-ip", Allow: []string{"azurerm_public_ip.lb"}}), policy.Options{}); len(got) != 0 {
		t.Errorf("allowing the public IP still finds %v", got)
	}
	if got := policy.Check(nil, policy.DefaultRules(), policy.Options{}); got != nil {
		t.Errorf("Check(nil) = %v", got)
	}
}

func TestCheckOrderIsDeterministic(t *testing.T) {
	src := publicLB + deployment + helmImages + `
resource "azurerm_storage_account" "insecure" {
  name                       = "insecure"
  https_traffic_only_enabled = false
}
`
	opts := policy.Options{AllowedRegistries: []string{"myacr.azurecr.io"}, Catalog: testCatalog(t)}
	b := importHCL(t, src)
	first := policy.Check(b, policy.DefaultRules(), opts)
	if len(first) < 8 {
		t.Fatalf("only %d findings; the example should trip every rule", len(first))
	}
	rules := map[string]bool{}
	for i, f := range first {
		rules[f.Rule] = true
		if i > 0 {
			p := first[i-1]
			if p.Resource > f.Resource || p.Resource == f.Resource && p.Path > f.Path {
				t.Errorf("findings out of order at %d: %s before %s", i, p, f)
			}
		}
	}
	if len(rules) != 6 {
		t.Errorf("rules found: %v; want all six", rules)
	}
	// Reversing the resources and the rules changes nothing.
	for i, j := 0, len(b.Resources)-1; i < j; i, j = i+1, j-1 {
		b.Resources[i], b.Resources[j] = b.Resources[j], b.Resources[i]
	}
	rs := policy.DefaultRules()
	for i, j := 0, len(rs.Rules)-1; i < j; i, j = i+1, j-1 {
		rs.Rules[i], rs.Rules[j] = rs.Rules[j], rs.Rules[i]
	}
	if diff := cmp.Diff(first, policy.Check(b, rs, opts)); diff != "" {
		t.Errorf("order depends on input order (-first +second):\n%s", diff)
	}
}

// TestStarters records what DefaultRules says about each starter. Every azurerm starter sets
// tags = var.tags, which required-tags cannot see into, so tags give no finding. The only
// expected finding is appgw-waf's plain HTTP listener: it starts on HTTP until a certificate
// is added, and the https-only-ingress finding is the reminder.
func TestStarters(t *testing.T) {
	want := map[string][]string{
		"appgw-waf": {"https-only-ingress resources[azurerm_application_gateway.main].http_listener[0].protocol"},
	}
	opts := policy.Options{Catalog: testCatalog(t)}
	for _, s := range starters.List() {
		t.Run(s.ID, func(t *testing.T) {
			b, err := starters.Blueprint(s.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range policy.Check(b, policy.DefaultRules(), opts) {
				got = append(got, f.Rule+" "+f.Path)
			}
			if diff := cmp.Diff(want[s.ID], got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			// With literal tags the rule does see the starters' resources.
			replaced := 0
			for i := range b.Resources {
				if a := b.Resources[i].Config.Attribute("tags"); a != nil {
					*a = blueprint.Map(map[string]blueprint.Value{"owner": blueprint.String("platform")})
					replaced++
				}
			}
			findings := policy.Check(b, only(policy.Rule{ID: "required-tags", Tags: []string{"owner", "environment"}}), opts)
			if len(findings) != replaced {
				t.Errorf("%d tag findings for %d resources with tags lacking environment", len(findings), replaced)
			}
			for _, f := range findings {
				if !strings.Contains(f.Message, `"environment"`) {
					t.Errorf("unexpected tag finding: %s", f)
				}
			}
		})
	}
}

// TestStartersAllowedRegistries: the add-ons starter sets no image, so a registry list finds
// nothing there; the charts' own defaults are in their values, which the rule cannot see.
func TestStartersAllowedRegistries(t *testing.T) {
	b, err := starters.Blueprint("aks-addons", "addons")
	if err != nil {
		t.Fatal(err)
	}
	got := policy.Check(b, only(policy.Rule{ID: "allowed-registries"}), policy.Options{AllowedRegistries: []string{"myacr.azurecr.io"}})
	if len(got) != 0 {
		t.Errorf("findings: %v", got)
	}
}
