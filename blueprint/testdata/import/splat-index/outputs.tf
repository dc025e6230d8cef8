output "ids" {
  value = aws_instance.node[*].id
}

output "first_ip" {
  value = aws_instance.node[0].private_ip
}

output "by_az" {
  value = { for i in aws_instance.node : i.availability_zone => i.id... }
}
