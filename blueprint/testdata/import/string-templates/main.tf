locals {
  fqdn     = "${var.host}.${var.domain}"
  greeting = "Hello, %{if var.formal}Sir%{else}friend%{endif}!"
  list_txt = "%{for n in var.names}${n}, %{endfor}"
  escaped  = "literal $${not_interpolated} and %%{not_a_directive}"
  quoted   = "She said \"hi\"\n"
  unicode  = "caf\u00e9"
  path     = "${path.module}/files/config.yaml"
}
