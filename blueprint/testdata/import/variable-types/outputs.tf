output "pool_names" {
  value = keys(var.node_pools)
}
