output "ingress_nginx_namespace" {
  description = "Namespace of the ingress-nginx controller."
  value       = helm_release.ingress_nginx.namespace
}

output "keda_namespace" {
  description = "Namespace of KEDA."
  value       = helm_release.keda.namespace
}

output "dapr_namespace" {
  description = "Namespace of the Dapr control plane."
  value       = helm_release.dapr.namespace
}

output "monitoring_namespace" {
  description = "Namespace of Prometheus, Alertmanager and Grafana."
  value       = helm_release.kube_prometheus_stack.namespace
}
