output "web_id" {
  value = terraform_data.web.id
}
