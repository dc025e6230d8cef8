package policy_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/policy"
)

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
