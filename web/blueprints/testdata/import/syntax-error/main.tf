resource "terraform_data" "web" {
  # ERROR: syntax error
  input = = "hello"
}
