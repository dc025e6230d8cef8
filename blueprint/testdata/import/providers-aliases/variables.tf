variable "subscription_id" {
  type = string
}

variable "hub_subscription_id" {
  type = string
}

variable "rg" {
  type = string
}

variable "vnet_name" {
  type = string
}
