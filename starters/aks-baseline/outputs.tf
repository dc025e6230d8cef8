output "cluster_id" {
  description = "Resource ID of the AKS cluster."
  value       = azurerm_kubernetes_cluster.main.id
}

output "cluster_name" {
  description = "Name of the AKS cluster."
  value       = azurerm_kubernetes_cluster.main.name
}

output "resource_group_name" {
  description = "Resource group holding the cluster."
  value       = azurerm_resource_group.main.name
}

output "kube_config_raw" {
  description = "Kubeconfig for the cluster's user credentials."
  value       = azurerm_kubernetes_cluster.main.kube_config_raw
  sensitive   = true
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL for workload identity federation."
  value       = azurerm_kubernetes_cluster.main.oidc_issuer_url
}

output "kubelet_object_id" {
  description = "Object ID of the kubelet identity, which holds AcrPull on the registry."
  value       = azurerm_kubernetes_cluster.main.kubelet_identity[0].object_id
}

output "acr_login_server" {
  description = "Login server of the container registry, e.g. myacr.azurecr.io."
  value       = azurerm_container_registry.main.login_server
}

output "log_analytics_workspace_id" {
  description = "Resource ID of the Log Analytics workspace."
  value       = azurerm_log_analytics_workspace.main.id
}

output "ingress_subnet_id" {
  description = "Subnet for an Application Gateway in front of the cluster (appgw-waf starter)."
  value       = azurerm_subnet.ingress.id
}
