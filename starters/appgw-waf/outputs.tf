output "gateway_id" {
  description = "Resource ID of the Application Gateway."
  value       = azurerm_application_gateway.main.id
}

output "public_ip_address" {
  description = "The gateway's public IP address: point DNS records here."
  value       = azurerm_public_ip.gateway.ip_address
}

output "fqdn" {
  description = "The public IP's FQDN when domain_name_label is set, null otherwise."
  value       = azurerm_public_ip.gateway.fqdn
}

output "waf_policy_id" {
  description = "Resource ID of the WAF policy, to attach to more listeners."
  value       = azurerm_web_application_firewall_policy.main.id
}
