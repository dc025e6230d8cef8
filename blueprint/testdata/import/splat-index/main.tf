resource "aws_instance" "node" {
  count         = 3
  ami           = "ami-123456"
  instance_type = "t3.small"
  subnet_id     = var.subnet_ids[count.index]
}

resource "aws_lb_target_group_attachment" "node" {
  count            = length(aws_instance.node)
  target_group_arn = var.target_group_arn
  target_id        = aws_instance.node[count.index].id
  port             = 80
}
