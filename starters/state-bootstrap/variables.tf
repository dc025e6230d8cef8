variable "location" {
  type        = string
  description = "Azure region of the state account, e.g. westeurope."
  default     = "westeurope"
}

variable "resource_group_name" {
  type        = string
  description = "Name of the resource group for the state account."
  default     = "rg-tfstate"
}

variable "tags" {
  type        = map(string)
  description = "Tags set on every resource that takes them, e.g. owner and environment."
  default     = {}
}

variable "storage_account_name" {
  type        = string
  description = "Globally unique storage account name: 3 to 24 lowercase letters and digits."

  validation {
    condition     = can(regex("^[a-z0-9]{3,24}$", var.storage_account_name))
    error_message = "The storage account name must be 3 to 24 lowercase letters and digits."
  }
}

variable "container_name" {
  type        = string
  description = "Name of the blob container holding state files."
  default     = "tfstate"
}

variable "replication_type" {
  type        = string
  description = "Replication: LRS, ZRS, GRS, RAGRS, GZRS or RAGZRS; state deserves at least ZRS."
  default     = "GZRS"
}

variable "shared_access_key_enabled" {
  type        = bool
  description = "Allow access keys and SAS; false forces Entra ID (use_azuread_auth in the backend)."
  default     = false
}

variable "soft_delete_retention_days" {
  type        = number
  description = "Days deleted blobs and containers can be restored (1 to 365)."
  default     = 30
}
