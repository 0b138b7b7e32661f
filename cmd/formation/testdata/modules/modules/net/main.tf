variable "name" {
  type = string
}
resource "huaweicloud_vpc" "vpc" {
  name = var.name
  cidr = "10.0.0.0/16"
}
output "vpc_name" {
  value = huaweicloud_vpc.vpc.name
}
