terraform {
  required_version = ">= 1.6.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }

  backend "azurerm" {
    resource_group_name  = "rg-tfstate"
    storage_account_name = "sttfstate"
    container_name       = "tfstate"
    key                  = "app.tfstate"
  }
}

provider "azurerm" {
  features {}
}

variable "rules" {
  type = map(object({ priority = number, port = string }))
}

module "network" {
  source  = "Azure/network/azurerm"
  version = "5.3.0"
}

moved {
  from = azurerm_network_security_group.old
  to   = azurerm_network_security_group.web
}

import {
  to = azurerm_network_security_group.web
  id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-web"
}

removed {
  from = azurerm_public_ip.legacy
}

check "health" {
  assert {
    condition     = true
    error_message = "never"
  }
}

widget "thing" {
  size = 3
}

resource "azurerm_network_security_group" "web" {
  name                = "nsg-web"
  location            = "westeurope"
  resource_group_name = "rg"

  dynamic "security_rule" {
    for_each = var.rules
    content {
      name     = security_rule.key
      priority = security_rule.value.priority
    }
  }

  timeouts {
    create = "30m"
  }
}

resource "azurerm_linux_virtual_machine" "vm" {
  name = "vm-web"
  size = "Standard_B2s"

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  provisioner "remote-exec" {
    inline = ["echo hello"]
  }

  connection {
    type = "ssh"
    host = self.public_ip_address
  }

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = true
      error_message = "never"
    }
  }
}

output "vm_id" {
  value = azurerm_linux_virtual_machine.vm.id

  precondition {
    condition     = true
    error_message = "never"
  }
}
