resource "aws_s3_bucket" "b" {
bucket="my-bucket"
  tags = {Name="b",   Env = "dev"}
    force_destroy =   true
}

locals {
    list = [ 1,2,
      3 ]
  obj = {
    z = 1
    a = 2
  }
}
