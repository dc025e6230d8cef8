variable "location" {
  type = string
}

variable "rg" {
  type = string
}

variable "workspace_id" {
  type = string
}

variable "admin_group_id" {
  type = string
}
