variable "location" {
  type = string
}

variable "rg" {
  type = string
}

variable "cidr" {
  type = string
}

variable "dns" {
  type    = list(string)
  default = []
}

variable "cost_center" {
  type = string
}
