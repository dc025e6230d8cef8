variable "name" {
  type = string
}

variable "location" {
  type = string
}

variable "rg" {
  type = string
}

variable "allowed_ips" {
  type    = list(string)
  default = []
}
