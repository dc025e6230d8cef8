resource "azurerm_virtual_network" "vnet" {
  name                = "vnet-main"
  location            = var.location
  resource_group_name = var.rg
  address_space       = [var.cidr, "10.250.0.0/16"]
  dns_servers         = concat(var.dns, ["168.63.129.16"])
  tags = {
    cost_center = var.cost_center
    env         = "prod"
    owner       = local.owner
  }
}

locals {
  owner = "platform-team"
  matrix = [
    [1, 2],
    [3, 4],
  ]
  weird_keys = {
    "with space" = 1
    "for"        = 2
    plain        = 3
  }
}
