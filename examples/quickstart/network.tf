variable "name" {
  type    = string
  default = "demo"
}

resource "huaweicloud_vpc" "vpc" {
  name = "${var.name}-vpc"
  cidr = "10.0.0.0/16"
}

resource "huaweicloud_vpc_subnet" "subnet" {
  count      = 2
  name       = "${var.name}-subnet-${count.index}"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = cidrsubnet(huaweicloud_vpc.vpc.cidr, 8, count.index)
  gateway_ip = cidrhost(cidrsubnet(huaweicloud_vpc.vpc.cidr, 8, count.index), 1)
}

resource "huaweicloud_networking_secgroup" "web" {
  name        = "${var.name}-web"
  description = "HTTPS from anywhere"
}

resource "huaweicloud_networking_secgroup_rule" "https" {
  security_group_id = huaweicloud_networking_secgroup.web.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "443"
  remote_ip_prefix  = "0.0.0.0/0"
}

output "vpc_id" {
  value = huaweicloud_vpc.vpc.id
}

output "subnet_ids" {
  value = huaweicloud_vpc_subnet.subnet[*].id
}
