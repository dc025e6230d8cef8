variable "key_vault_name" {
  type = string
}

variable "key_vault_rg" {
  type = string
}
