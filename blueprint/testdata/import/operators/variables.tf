variable "a" {
  type = number
}

variable "b" {
  type = number
}

variable "c" {
  type = number
}

variable "enabled" {
  type = bool
}

variable "name" {
  type    = string
  default = null
}

variable "settings" {
  type    = any
  default = {}
}

variable "size" {
  type    = string
  default = "small"
}
