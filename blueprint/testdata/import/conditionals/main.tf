resource "azurerm_public_ip" "gw" {
  count               = var.create_public_ip ? 1 : 0
  name                = "pip-gw"
  resource_group_name = var.resource_group_name
  location            = var.location
  allocation_method   = "Static"
  sku                 = var.environment == "prod" ? "Standard" : "Basic"
  zones               = var.environment == "prod" ? ["1", "2", "3"] : null
}
