variable "node_pools" {
  description = "Extra node pools."
  type = map(object({
    vm_size   = string
    min_count = optional(number, 1)
    max_count = optional(number, 3)
    labels    = optional(map(string), {})
  }))
  default = {}
}

variable "allowed_ips" {
  type      = set(string)
  default   = ["10.0.0.1", "10.0.0.2"]
  sensitive = true
}

variable "settings" {
  type = object({ enabled = bool, retries = number })
  default = {
    enabled = true
    retries = 3
  }
}

variable "anything" {}

variable "ratio" {
  type    = number
  default = 0.75

  validation {
    condition     = var.ratio > 0 && var.ratio <= 1
    error_message = "ratio must be in (0, 1]."
  }

  validation {
    condition     = floor(var.ratio * 100) == var.ratio * 100
    error_message = "At most two decimals."
  }
}

variable "nullable_thing" {
  type     = string
  default  = null
  nullable = true
}
