resource "azurerm_resource_group" "rg" {
  name     = "rg-app"
  location = "westeurope"

  lifecycle {
    prevent_destroy = true
  }
}

resource "azurerm_storage_account" "sa" {
  name                     = "stapp001"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "LRS"

  depends_on = [azurerm_resource_group.rg]

  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags, network_rules[0].ip_rules]
  }
}

resource "azurerm_storage_container" "c" {
  name               = "data"
  storage_account_id = azurerm_storage_account.sa.id

  lifecycle {
    ignore_changes       = all
    replace_triggered_by = [azurerm_storage_account.sa.id]
  }
}
