terraform {
  required_version = ">= 1.5.0"

  required_providers {
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.1"
    }
  }
}

# Either a kubeconfig (kube_config_path, kube_config_context) or the cluster's address and
# credentials (kube_host and the certificates or a token); unset values are left to the
# provider's environment variables such as KUBE_CONFIG_PATH.
provider "helm" {
  kubernetes = {
    client_certificate     = var.kube_client_certificate
    client_key             = var.kube_client_key
    cluster_ca_certificate = var.kube_cluster_ca_certificate
    config_context         = var.kube_config_context
    config_path            = var.kube_config_path
    host                   = var.kube_host
    token                  = var.kube_token
  }
}

locals {
  # Every Dapr control-plane service gets the same requests and limits.
  dapr_resources = {
    requests = {
      cpu    = var.dapr_resources.requests.cpu
      memory = var.dapr_resources.requests.memory
    }
    limits = {
      cpu    = var.dapr_resources.limits.cpu
      memory = var.dapr_resources.limits.memory
    }
  }
}

# The controller sits behind an internal load balancer; the Application Gateway
# (appgw-waf starter) is the public entry point.
resource "helm_release" "ingress_nginx" {
  name             = "ingress-nginx"
  repository       = "https://kubernetes.github.io/ingress-nginx"
  chart            = "ingress-nginx"
  version          = var.ingress_nginx_version
  namespace        = "ingress-nginx"
  create_namespace = true
  atomic           = true
  cleanup_on_fail  = true
  timeout          = 600

  set = [
    {
      name  = "controller.replicaCount"
      value = tostring(var.ingress_nginx_replicas)
    },
    {
      name  = "controller.service.loadBalancerIP"
      value = var.ingress_load_balancer_ip
    },
    {
      name  = "controller.service.annotations.service\\.beta\\.kubernetes\\.io/azure-load-balancer-internal"
      value = "true"
    },
    {
      name  = "controller.service.annotations.service\\.beta\\.kubernetes\\.io/azure-load-balancer-health-probe-request-path"
      value = "/healthz"
    },
    {
      name  = "controller.resources.requests.cpu"
      value = var.ingress_nginx_resources.requests.cpu
    },
    {
      name  = "controller.resources.requests.memory"
      value = var.ingress_nginx_resources.requests.memory
    },
    {
      name  = "controller.resources.limits.cpu"
      value = var.ingress_nginx_resources.limits.cpu
    },
    {
      name  = "controller.resources.limits.memory"
      value = var.ingress_nginx_resources.limits.memory
    },
  ]
}

resource "helm_release" "keda" {
  name             = "keda"
  repository       = "https://kedacore.github.io/charts"
  chart            = "keda"
  version          = var.keda_version
  namespace        = "keda"
  create_namespace = true
  atomic           = true
  cleanup_on_fail  = true

  set = [
    {
      name  = "resources.operator.requests.cpu"
      value = var.keda_resources.requests.cpu
    },
    {
      name  = "resources.operator.requests.memory"
      value = var.keda_resources.requests.memory
    },
    {
      name  = "resources.operator.limits.cpu"
      value = var.keda_resources.limits.cpu
    },
    {
      name  = "resources.operator.limits.memory"
      value = var.keda_resources.limits.memory
    },
    {
      name  = "resources.metricServer.requests.cpu"
      value = var.keda_resources.requests.cpu
    },
    {
      name  = "resources.metricServer.requests.memory"
      value = var.keda_resources.requests.memory
    },
    {
      name  = "resources.metricServer.limits.cpu"
      value = var.keda_resources.limits.cpu
    },
    {
      name  = "resources.metricServer.limits.memory"
      value = var.keda_resources.limits.memory
    },
  ]
}

resource "helm_release" "dapr" {
  name             = "dapr"
  repository       = "https://dapr.github.io/helm-charts/"
  chart            = "dapr"
  version          = var.dapr_version
  namespace        = "dapr-system"
  create_namespace = true
  atomic           = true
  cleanup_on_fail  = true
  wait             = true

  values = [
    yamlencode({
      global = {
        ha = {
          enabled = var.dapr_ha_enabled
        }
      }
      dapr_operator = {
        resources = local.dapr_resources
      }
      dapr_placement = {
        resources = local.dapr_resources
      }
      dapr_sentry = {
        resources = local.dapr_resources
      }
      dapr_sidecar_injector = {
        resources = local.dapr_resources
      }
    })
  ]
}

resource "helm_release" "kube_prometheus_stack" {
  name             = "kube-prometheus-stack"
  repository       = "https://prometheus-community.github.io/helm-charts"
  chart            = "kube-prometheus-stack"
  version          = var.kube_prometheus_stack_version
  namespace        = "monitoring"
  create_namespace = true
  atomic           = true
  cleanup_on_fail  = true
  timeout          = 900

  set = [
    {
      name  = "prometheus.prometheusSpec.retention"
      value = var.prometheus_retention
    },
    {
      name  = "prometheus.prometheusSpec.resources.requests.cpu"
      value = var.prometheus_resources.requests.cpu
    },
    {
      name  = "prometheus.prometheusSpec.resources.requests.memory"
      value = var.prometheus_resources.requests.memory
    },
    {
      name  = "prometheus.prometheusSpec.resources.limits.cpu"
      value = var.prometheus_resources.limits.cpu
    },
    {
      name  = "prometheus.prometheusSpec.resources.limits.memory"
      value = var.prometheus_resources.limits.memory
    },
    {
      name  = "grafana.resources.requests.cpu"
      value = var.grafana_resources.requests.cpu
    },
    {
      name  = "grafana.resources.requests.memory"
      value = var.grafana_resources.requests.memory
    },
    {
      name  = "grafana.resources.limits.cpu"
      value = var.grafana_resources.limits.cpu
    },
    {
      name  = "grafana.resources.limits.memory"
      value = var.grafana_resources.limits.memory
    },
  ]

  set_sensitive = [
    {
      name  = "grafana.adminPassword"
      value = var.grafana_admin_password
    },
  ]
}
