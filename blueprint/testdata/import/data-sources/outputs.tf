output "tenant_id" {
  value = data.azurerm_client_config.current.tenant_id
}

output "db_password" {
  value     = data.azurerm_key_vault_secret.db.value
  sensitive = true
}
