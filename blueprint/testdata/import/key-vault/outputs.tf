output "vault_uri" {
  value       = azurerm_key_vault.kv.vault_uri
  description = "The vault's URI."
}
