locals {
  b = local.a + 1
}
