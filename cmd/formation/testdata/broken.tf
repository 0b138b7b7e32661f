resource "huaweicloud_vpc" "vpc" {
  name = "vpc"
  cidr = var.cidr
}
