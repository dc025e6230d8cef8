variable "location" {
  type = string
}

variable "rg" {
  type = string
}

variable "admin_cidrs" {
  type = list(string)
}

variable "env" {
  type = string
}
