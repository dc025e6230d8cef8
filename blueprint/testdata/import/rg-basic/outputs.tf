output "resource_group_id" {
  value       = azurerm_resource_group.main.id
  description = "ID of the resource group."
}
