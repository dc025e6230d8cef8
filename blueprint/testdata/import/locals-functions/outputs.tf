output "cidrs" {
  value = local.cidrs
}

output "tags" {
  value     = local.common_tags
  sensitive = false
}
