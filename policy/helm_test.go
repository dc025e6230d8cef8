package policy_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/policy"
)

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
