resource "aws_iam_role" "lambda" {
  name               = "lambda-exec"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": "sts:AssumeRole",
      "Principal": { "Service": "lambda.amazonaws.com" },
      "Effect": "Allow"
    }
  ]
}
EOF
}

resource "aws_instance" "web" {
  ami           = var.ami
  instance_type = "t3.micro"
  user_data     = <<-EOT
    #!/bin/bash
    echo "hello ${var.name}" > /tmp/hello
    systemctl restart nginx
  EOT
}
