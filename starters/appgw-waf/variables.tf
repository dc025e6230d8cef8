variable "location" {
  type        = string
  description = "Azure region; the same as the cluster's, since the gateway lives in its virtual network."
  default     = "westeurope"
}

variable "resource_group_name" {
  type        = string
  description = "Name of the resource group for the gateway, its public IP and WAF policy."
  default     = "rg-appgw"
}

variable "tags" {
  type        = map(string)
  description = "Tags set on every resource that takes them, e.g. owner and environment."
  default     = {}
}

variable "gateway_subnet_id" {
  type        = string
  description = "ID of a dedicated subnet (/24 recommended) in the cluster's virtual network, e.g. the aks-baseline output ingress_subnet_id."
}

variable "ingress_ip_address" {
  type        = string
  description = "Private IP address of the ingress controller's internal load balancer, the gateway's only backend."
}

variable "gateway_name" {
  type        = string
  description = "Name of the Application Gateway."
  default     = "agw-aks"
}

variable "public_ip_name" {
  type        = string
  description = "Name of the gateway's public IP."
  default     = "pip-agw-aks"
}

variable "domain_name_label" {
  type        = string
  description = "DNS label for LABEL.REGION.cloudapp.azure.com on the public IP; null for none."
  default     = null
}

variable "waf_policy_name" {
  type        = string
  description = "Name of the WAF policy."
  default     = "waf-aks"
}

variable "waf_mode" {
  type        = string
  description = "WAF mode: Detection only logs, Prevention blocks."
  default     = "Prevention"

  validation {
    condition     = contains(["Detection", "Prevention"], var.waf_mode)
    error_message = "The WAF mode must be Detection or Prevention."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones for the gateway and its public IP; empty for regions without zones."
  default     = ["1", "2", "3"]
}

variable "min_capacity" {
  type        = number
  description = "Minimum number of gateway instances (autoscaling)."
  default     = 1
}

variable "max_capacity" {
  type        = number
  description = "Maximum number of gateway instances (autoscaling, up to 125)."
  default     = 3
}
