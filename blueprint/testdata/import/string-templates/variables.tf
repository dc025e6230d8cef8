variable "host" {
  type = string
}

variable "domain" {
  type = string
}

variable "formal" {
  type    = bool
  default = false
}

variable "names" {
  type    = list(string)
  default = []
}
