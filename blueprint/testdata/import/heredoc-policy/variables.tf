variable "ami" {
  type = string
}

variable "name" {
  type    = string
  default = "world"
}
