output "server_fqdn" {
  description = "Host name clients connect to."
  value       = azurerm_postgresql_flexible_server.main.fqdn
}

output "server_id" {
  description = "Resource ID of the PostgreSQL flexible server."
  value       = azurerm_postgresql_flexible_server.main.id
}

output "database_name" {
  description = "Name of the application database."
  value       = azurerm_postgresql_flexible_server_database.app.name
}

output "administrator_login" {
  description = "Administrator user name."
  value       = azurerm_postgresql_flexible_server.main.administrator_login
}

output "key_vault_uri" {
  description = "URI of the Key Vault holding the password."
  value       = azurerm_key_vault.main.vault_uri
}

output "admin_password_secret_id" {
  description = "Versioned ID of the secret holding the administrator password."
  value       = azurerm_key_vault_secret.postgres_admin_password.id
}

output "admin_password_secret_versionless_id" {
  description = "Versionless ID of the password secret, for references that follow rotation."
  value       = azurerm_key_vault_secret.postgres_admin_password.versionless_id
}
