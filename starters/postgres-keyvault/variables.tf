variable "location" {
  type        = string
  description = "Azure region for every resource, e.g. westeurope."
  default     = "westeurope"
}

variable "resource_group_name" {
  type        = string
  description = "Name of the resource group for the server and the vault."
  default     = "rg-postgres"
}

variable "tags" {
  type        = map(string)
  description = "Tags set on every resource that takes them, e.g. owner and environment."
  default     = {}
}

variable "key_vault_name" {
  type        = string
  description = "Globally unique Key Vault name: 3 to 24 letters, digits and dashes."

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", var.key_vault_name))
    error_message = "The Key Vault name must be 3 to 24 letters, digits and dashes, starting with a letter."
  }
}

variable "purge_protection_enabled" {
  type        = bool
  description = "Keep deleted secrets purge-protected for the retention period; cannot be turned off once on."
  default     = false
}

variable "soft_delete_retention_days" {
  type        = number
  description = "Days a deleted vault or secret can be recovered (7 to 90)."
  default     = 7
}

variable "server_name" {
  type        = string
  description = "Globally unique name of the PostgreSQL flexible server; also names the secret."
}

variable "postgres_version" {
  type        = string
  description = "PostgreSQL major version, e.g. 16."
  default     = "16"
}

variable "sku_name" {
  type        = string
  description = "Compute tier and size, e.g. B_Standard_B1ms (burstable) or GP_Standard_D2ds_v5 (general purpose)."
  default     = "B_Standard_B1ms"
}

variable "storage_mb" {
  type        = number
  description = "Storage size in MB, e.g. 32768 for 32 GB."
  default     = 32768
}

variable "backup_retention_days" {
  type        = number
  description = "Days of point-in-time restore backups (7 to 35)."
  default     = 7
}

variable "public_network_access_enabled" {
  type        = bool
  description = "Reach the server over its public endpoint (firewall rules still apply); false needs private networking."
  default     = true
}

variable "administrator_login" {
  type        = string
  description = "Administrator user name; the password is generated and kept in Key Vault."
  default     = "pgadmin"
}

variable "password_length" {
  type        = number
  description = "Length of the generated administrator password (PostgreSQL allows 8 to 128)."
  default     = 32
}

variable "database_name" {
  type        = string
  description = "Name of the application database created on the server."
  default     = "app"
}
