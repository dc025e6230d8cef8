locals {
  total      = var.a + var.b * 2 - (var.c / 4) % 3
  negative   = -var.a
  not_flag   = !var.enabled
  both       = var.enabled && var.a > 0 || var.b != 0
  fallback   = coalesce(var.name, "default")
  try_value  = try(var.settings.port, 8080)
  can_parse  = can(regex("^[a-z]+$", var.name))
  tuple_len  = length([var.a, var.b])
  obj_lookup = lookup({ small = 1, large = 3 }, var.size, 2)
}
