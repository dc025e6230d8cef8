resource "terraform_data" "web" {
  input = "hello"

  # LEFT OUT: dynamic block skipped
  dynamic "trigger" {
    for_each = var.triggers
    content {
      name = trigger.value
    }
  }
}

variable "triggers" {
  type    = list(string)
  default = []
}

# LEFT OUT: module files not imported
module "network" {
  source = "./network"
}
