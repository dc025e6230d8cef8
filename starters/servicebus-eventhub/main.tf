terraform {
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 5.2"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "main" {
  name     = var.resource_group_name
  location = var.location
  tags     = var.tags
}

# Topics need the Standard or Premium tier.
resource "azurerm_servicebus_namespace" "main" {
  name                = var.servicebus_namespace_name
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  sku                 = var.servicebus_sku
  minimum_tls_version = "1.2"
  local_auth_enabled  = var.local_auth_enabled
  tags                = var.tags
}

resource "azurerm_servicebus_topic" "main" {
  name                 = var.topic_name
  namespace_id         = azurerm_servicebus_namespace.main.id
  default_message_ttl  = var.message_ttl
  partitioning_enabled = false
}

resource "azurerm_servicebus_subscription" "main" {
  name                                 = var.subscription_name
  topic_id                             = azurerm_servicebus_topic.main.id
  max_delivery_count                   = var.max_delivery_count
  lock_duration                        = "PT1M"
  dead_lettering_on_message_expiration = true
}

resource "azurerm_eventhub_namespace" "main" {
  name                     = var.eventhub_namespace_name
  location                 = azurerm_resource_group.main.location
  resource_group_name      = azurerm_resource_group.main.name
  sku                      = "Standard"
  capacity                 = var.eventhub_capacity
  auto_inflate_enabled     = true
  maximum_throughput_units = var.eventhub_max_throughput_units
  minimum_tls_version      = "1.2"
  tags                     = var.tags
}

resource "azurerm_eventhub" "main" {
  name            = var.eventhub_name
  namespace_id    = azurerm_eventhub_namespace.main.id
  partition_count = var.partition_count

  retention_description {
    cleanup_policy          = "Delete"
    retention_time_in_hours = var.retention_time_in_hours
  }
}
