output "admins" {
  value = local.admins
}

output "by_team" {
  value = local.by_team
}
