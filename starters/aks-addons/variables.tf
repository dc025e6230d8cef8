variable "kube_config_path" {
  type        = string
  description = "Path to a kubeconfig file, e.g. ~/.kube/config; null to use host and credentials instead."
  default     = null
}

variable "kube_config_context" {
  type        = string
  description = "Context to use from the kubeconfig; null for its current context."
  default     = null
}

variable "kube_host" {
  type        = string
  description = "API server URL, e.g. the host from the AKS cluster's kube_config; null when using a kubeconfig."
  default     = null
}

variable "kube_cluster_ca_certificate" {
  type        = string
  description = "PEM-encoded CA certificate of the API server (base64decode the AKS value)."
  default     = null
}

variable "kube_client_certificate" {
  type        = string
  description = "PEM-encoded client certificate for TLS authentication."
  default     = null
}

variable "kube_client_key" {
  type        = string
  description = "PEM-encoded client key for TLS authentication."
  default     = null
  sensitive   = true
}

variable "kube_token" {
  type        = string
  description = "Bearer token for the API server, e.g. from kubelogin."
  default     = null
  sensitive   = true
}

variable "ingress_nginx_version" {
  type        = string
  description = "Version of the ingress-nginx chart."
  default     = "4.12.1"
}

variable "ingress_nginx_replicas" {
  type        = number
  description = "Number of ingress-nginx controller replicas."
  default     = 2
}

variable "ingress_load_balancer_ip" {
  type        = string
  description = "Private IP for the controller's internal load balancer, inside the cluster's subnet; empty lets Azure pick one."
  default     = ""
}

variable "ingress_nginx_resources" {
  type = object({
    requests = object({ cpu = string, memory = string })
    limits   = object({ cpu = string, memory = string })
  })
  description = "CPU and memory requests and limits of the ingress-nginx controller."
  default = {
    requests = { cpu = "100m", memory = "128Mi" }
    limits   = { cpu = "500m", memory = "512Mi" }
  }
}

variable "keda_version" {
  type        = string
  description = "Version of the KEDA chart."
  default     = "2.16.1"
}

variable "keda_resources" {
  type = object({
    requests = object({ cpu = string, memory = string })
    limits   = object({ cpu = string, memory = string })
  })
  description = "CPU and memory requests and limits of the KEDA operator and metrics server."
  default = {
    requests = { cpu = "100m", memory = "128Mi" }
    limits   = { cpu = "1", memory = "1000Mi" }
  }
}

variable "dapr_version" {
  type        = string
  description = "Version of the Dapr chart."
  default     = "1.14.4"
}

variable "dapr_ha_enabled" {
  type        = bool
  description = "Run the Dapr control plane with three replicas of each service."
  default     = true
}

variable "dapr_resources" {
  type = object({
    requests = object({ cpu = string, memory = string })
    limits   = object({ cpu = string, memory = string })
  })
  description = "CPU and memory requests and limits of each Dapr control-plane service."
  default = {
    requests = { cpu = "100m", memory = "128Mi" }
    limits   = { cpu = "500m", memory = "512Mi" }
  }
}

variable "kube_prometheus_stack_version" {
  type        = string
  description = "Version of the kube-prometheus-stack chart."
  default     = "70.6.0"
}

variable "prometheus_retention" {
  type        = string
  description = "How long Prometheus keeps metrics, e.g. 15d."
  default     = "15d"
}

variable "prometheus_resources" {
  type = object({
    requests = object({ cpu = string, memory = string })
    limits   = object({ cpu = string, memory = string })
  })
  description = "CPU and memory requests and limits of Prometheus."
  default = {
    requests = { cpu = "500m", memory = "2Gi" }
    limits   = { cpu = "2", memory = "4Gi" }
  }
}

variable "grafana_resources" {
  type = object({
    requests = object({ cpu = string, memory = string })
    limits   = object({ cpu = string, memory = string })
  })
  description = "CPU and memory requests and limits of Grafana."
  default = {
    requests = { cpu = "100m", memory = "256Mi" }
    limits   = { cpu = "500m", memory = "512Mi" }
  }
}

variable "grafana_admin_password" {
  type        = string
  description = "Password of Grafana's admin user; keep it in the environment's secrets."
  sensitive   = true
}
