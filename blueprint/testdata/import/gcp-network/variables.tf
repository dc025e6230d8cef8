variable "project_id" {
  type = string
}

variable "region" {
  type    = string
  default = "europe-west1"
}

variable "subnets" {
  type = map(string)
  default = {
    app = "10.10.0.0/20"
    db  = "10.10.16.0/20"
  }
}
