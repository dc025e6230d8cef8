locals {
  prefix      = lower(replace(var.name, " ", "-"))
  common_tags = merge(var.tags, { managed_by = "terraform", owner = var.owner })
  cidrs       = [for i in range(4) : cidrsubnet(var.cidr, 4, i)]
  zone_count  = min(length(var.zones), 3)
  enabled     = var.environment == "prod" ? true : false
  names       = toset(["alpha", "beta", "gamma"])
  json_doc    = jsonencode({ name = local.prefix, size = 3 })
  joined      = join(",", sort(keys(var.tags)))
  first_zone  = element(var.zones, 0)
  numbers     = [1, 2.5, -3]
  nothing     = null
  flag        = true
}
