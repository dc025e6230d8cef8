variable "location" {
  type        = string
  description = "Azure region for every resource, e.g. westeurope."
  default     = "westeurope"
}

variable "resource_group_name" {
  type        = string
  description = "Name of the resource group that holds the cluster and its neighbours."
  default     = "rg-aks-baseline"
}

variable "tags" {
  type        = map(string)
  description = "Tags set on every resource that takes them, e.g. owner and environment."
  default     = {}
}

variable "vnet_name" {
  type        = string
  description = "Name of the virtual network."
  default     = "vnet-aks"
}

variable "vnet_address_space" {
  type        = list(string)
  description = "Address space of the virtual network."
  default     = ["10.10.0.0/16"]
}

variable "nodes_subnet_prefixes" {
  type        = list(string)
  description = "Address prefixes of the node subnet; with Azure CNI pods take addresses from it too."
  default     = ["10.10.0.0/20"]
}

variable "ingress_subnet_prefixes" {
  type        = list(string)
  description = "Address prefixes of the subnet kept for an Application Gateway or internal load balancers."
  default     = ["10.10.16.0/24"]
}

variable "service_cidr" {
  type        = string
  description = "CIDR for Kubernetes services; must not overlap the virtual network."
  default     = "10.0.0.0/16"
}

variable "dns_service_ip" {
  type        = string
  description = "Cluster DNS address, inside service_cidr."
  default     = "10.0.0.10"
}

variable "log_analytics_workspace_name" {
  type        = string
  description = "Name of the Log Analytics workspace for Container Insights."
  default     = "log-aks"
}

variable "log_retention_in_days" {
  type        = number
  description = "Days Log Analytics keeps data (30 to 730)."
  default     = 30

  validation {
    condition     = var.log_retention_in_days >= 30 && var.log_retention_in_days <= 730
    error_message = "The retention must be between 30 and 730 days."
  }
}

variable "acr_name" {
  type        = string
  description = "Globally unique name of the container registry: 5 to 50 letters and digits."

  validation {
    condition     = can(regex("^[a-zA-Z0-9]{5,50}$", var.acr_name))
    error_message = "The registry name must be 5 to 50 letters and digits."
  }
}

variable "acr_sku" {
  type        = string
  description = "Container registry SKU: Basic, Standard or Premium."
  default     = "Standard"
}

variable "cluster_name" {
  type        = string
  description = "Name of the AKS cluster."
  default     = "aks-baseline"
}

variable "dns_prefix" {
  type        = string
  description = "DNS prefix of the cluster's API server."
  default     = "aks-baseline"
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes version, e.g. 1.31; null takes the region's default."
  default     = null
}

variable "sku_tier" {
  type        = string
  description = "Cluster SKU tier: Free, Standard (uptime SLA) or Premium."
  default     = "Standard"
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones for the node pools; empty for regions without zones."
  default     = ["1", "2", "3"]
}

variable "max_pods" {
  type        = number
  description = "Maximum pods per node; each takes an address from the node subnet."
  default     = 50
}

variable "system_node_vm_size" {
  type        = string
  description = "VM size of the system node pool."
  default     = "Standard_D4ds_v5"
}

variable "system_node_os_disk_size_gb" {
  type        = number
  description = "OS disk size of system nodes; an ephemeral disk must fit the VM's cache or temp disk."
  default     = 128
}

variable "system_node_min_count" {
  type        = number
  description = "Minimum number of system nodes."
  default     = 2
}

variable "system_node_max_count" {
  type        = number
  description = "Maximum number of system nodes."
  default     = 3
}

variable "user_node_vm_size" {
  type        = string
  description = "VM size of the user node pool that runs workloads."
  default     = "Standard_D4ds_v5"
}

variable "user_node_min_count" {
  type        = number
  description = "Minimum number of user nodes."
  default     = 1
}

variable "user_node_max_count" {
  type        = number
  description = "Maximum number of user nodes."
  default     = 5
}
