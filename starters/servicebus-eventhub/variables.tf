variable "location" {
  type        = string
  description = "Azure region for every resource, e.g. westeurope."
  default     = "westeurope"
}

variable "resource_group_name" {
  type        = string
  description = "Name of the resource group for both namespaces."
  default     = "rg-messaging"
}

variable "tags" {
  type        = map(string)
  description = "Tags set on every resource that takes them, e.g. owner and environment."
  default     = {}
}

variable "servicebus_namespace_name" {
  type        = string
  description = "Globally unique Service Bus namespace name (6 to 50 characters)."
}

variable "servicebus_sku" {
  type        = string
  description = "Service Bus tier: Standard or Premium (Basic has no topics)."
  default     = "Standard"

  validation {
    condition     = contains(["Standard", "Premium"], var.servicebus_sku)
    error_message = "Topics need the Standard or Premium tier."
  }
}

variable "local_auth_enabled" {
  type        = bool
  description = "Allow shared access keys; false leaves only Microsoft Entra ID (workload identity)."
  default     = false
}

variable "topic_name" {
  type        = string
  description = "Name of the topic."
  default     = "events"
}

variable "message_ttl" {
  type        = string
  description = "How long a message lives, as an ISO 8601 duration, e.g. P14D."
  default     = "P14D"
}

variable "subscription_name" {
  type        = string
  description = "Name of the topic subscription."
  default     = "worker"
}

variable "max_delivery_count" {
  type        = number
  description = "Deliveries before a message goes to the dead-letter queue."
  default     = 10
}

variable "eventhub_namespace_name" {
  type        = string
  description = "Globally unique Event Hubs namespace name (6 to 50 characters)."
}

variable "eventhub_capacity" {
  type        = number
  description = "Throughput units the namespace starts with."
  default     = 1
}

variable "eventhub_max_throughput_units" {
  type        = number
  description = "Throughput units auto-inflate may grow to (up to 40)."
  default     = 4
}

variable "eventhub_name" {
  type        = string
  description = "Name of the event hub."
  default     = "telemetry"
}

variable "partition_count" {
  type        = number
  description = "Partitions of the event hub: the most consumers that read in parallel."
  default     = 4
}

variable "retention_time_in_hours" {
  type        = number
  description = "Hours events are kept (up to 168 on Standard)."
  default     = 24
}
