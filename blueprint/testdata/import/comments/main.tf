# A resource group for the app.
resource "azurerm_resource_group" "rg" {
  name     = "rg-app" # the name
  location = "westeurope"
  // tags are merged
  tags = merge(
    var.tags, # caller tags
    { app = "demo" },
  )
  /* block comment */
}
