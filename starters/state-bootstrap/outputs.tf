output "resource_group_name" {
  description = "Resource group of the state account, for the backend's resource_group_name."
  value       = azurerm_resource_group.main.name
}

output "storage_account_name" {
  description = "State storage account, for the backend's storage_account_name."
  value       = azurerm_storage_account.state.name
}

output "container_name" {
  description = "State container, for the backend's container_name."
  value       = azurerm_storage_container.state.name
}

output "primary_blob_endpoint" {
  description = "Blob endpoint of the state account."
  value       = azurerm_storage_account.state.primary_blob_endpoint
}
