variable "name" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "owner" {
  type = string
}

variable "cidr" {
  type = string
}

variable "zones" {
  type = list(string)
}

variable "environment" {
  type = string
}
