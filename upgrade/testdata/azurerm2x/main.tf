# An AKS platform as written for azurerm 2.x, from the "before" examples of the provider's
# 3.0, 4.0 and 5.0 upgrade guides and its guide to migrating from deprecated resources.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "=2.99.0"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "main" {
  name     = "rg-platform"
  location = "westeurope"
}

resource "azurerm_log_analytics_workspace" "main" {
  name                = "log-platform"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = "PerGB2018"
  retention_in_days   = 30
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                            = "aks-platform"
  location                        = azurerm_resource_group.main.location
  resource_group_name             = azurerm_resource_group.main.name
  dns_prefix                      = "aks-platform"
  api_server_authorized_ip_ranges = ["10.0.0.0/8"]
  automatic_channel_upgrade       = "stable"

  default_node_pool {
    name                   = "system"
    vm_size                = "Standard_D4s_v3"
    enable_auto_scaling    = true # the cluster autoscaler
    min_count              = 1
    max_count              = 5
    availability_zones     = ["1", "2", "3"]
    enable_host_encryption = false
  }

  identity {
    type = "SystemAssigned"
  }

  addon_profile {
    oms_agent {
      enabled                    = true
      log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id
    }
    azure_policy {
      enabled = true
    }
    kube_dashboard {
      enabled = false
    }
  }

  role_based_access_control {
    enabled = true
  }

  network_profile {
    network_plugin     = "azure"
    docker_bridge_cidr = "172.17.0.1/16"
  }
}

resource "azurerm_monitor_diagnostic_setting" "aks" {
  name                       = "aks-diagnostics"
  target_resource_id         = azurerm_kubernetes_cluster.aks.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id

  log {
    category = "kube-apiserver"
  }

  metric {
    category = "AllMetrics"
  }
}

resource "azurerm_postgresql_server" "db" {
  name                = "psql-platform"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name

  administrator_login          = "psqladmin"
  administrator_login_password = var.db_password

  sku_name   = "GP_Gen5_4"
  version    = "11"
  storage_mb = 640000

  ssl_enforcement_enabled = true
}

resource "azurerm_postgresql_database" "app" {
  name                = "app"
  resource_group_name = azurerm_resource_group.main.name
  server_name         = azurerm_postgresql_server.db.name
  charset             = "UTF8"
  collation           = "English_United States.1252"
}

resource "azurerm_app_service_plan" "web" {
  name                = "plan-platform"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  kind                = "Linux"
  reserved            = true

  sku {
    tier = "Standard"
    size = "S1"
  }
}

resource "azurerm_app_service" "web" {
  name                = "app-platform"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  app_service_plan_id = azurerm_app_service_plan.web.id

  site_config {
    dotnet_framework_version = "v4.0"
    remote_debugging_enabled = true
    remote_debugging_version = "VS2022"
  }
}

resource "azurerm_storage_account" "state" {
  name                     = "stplatformstate"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "GRS"
  allow_blob_public_access = false
  min_tls_version          = "TLS1_2"
}

resource "azurerm_container_registry" "acr" {
  name                     = "acrplatform"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  sku                      = "Premium"
  georeplication_locations = ["northeurope"]
}

resource "azurerm_network_interface" "jump" {
  name                          = "nic-jump"
  location                      = azurerm_resource_group.main.location
  resource_group_name           = azurerm_resource_group.main.name
  enable_accelerated_networking = true # needs a VM size that supports it
  enable_ip_forwarding          = false

  ip_configuration {
    name                          = "internal"
    subnet_id                     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform/providers/Microsoft.Network/virtualNetworks/vnet-platform/subnets/jump"
    private_ip_address_allocation = "Dynamic"
  }
}

variable "db_password" {
  type      = string
  sensitive = true
}

output "kube_config" {
  value     = azurerm_kubernetes_cluster.aks.kube_config_raw
  sensitive = true
}

output "web_hostname" {
  value = azurerm_app_service.web.default_site_hostname
}
