resource "terraform_data" "web" {
  input = "hello"
}
