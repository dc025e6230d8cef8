variable "host" {
  type = string
}

variable "ca" {
  type      = string
  sensitive = true
}

variable "token" {
  type      = string
  sensitive = true
}
