output "container" {
  value      = azurerm_storage_container.c.name
  depends_on = [azurerm_storage_container.c]
}
