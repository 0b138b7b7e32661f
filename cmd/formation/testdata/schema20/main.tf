data "huaweicloud_availability_zones" "zones" {}

resource "huaweicloud_vpc" "vpc" {
  count = 4
  name  = "vpc-${count.index}"
  cidr  = "10.${count.index}.0.0/16"
}

resource "huaweicloud_vpc_subnet" "subnet" {
  count             = 4
  name              = "subnet-${count.index}"
  vpc_id            = huaweicloud_vpc.vpc[count.index].id
  cidr              = "10.${count.index}.1.0/24"
  gateway_ip        = "10.${count.index}.1.1"
  availability_zone = data.huaweicloud_availability_zones.zones.names[count.index]
}

resource "huaweicloud_networking_secgroup" "sg" {
  count = 4
  name  = "sg-${count.index}"
}

resource "huaweicloud_networking_secgroup_rule" "ssh" {
  count             = 4
  security_group_id = huaweicloud_networking_secgroup.sg[count.index].id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "22"
  remote_ip_prefix  = "0.0.0.0/0"
}

resource "huaweicloud_compute_instance" "vm" {
  count              = 4
  name               = "vm-${count.index}"
  image_id           = "img-1"
  flavor_id          = "s6.small.1"
  security_group_ids = [huaweicloud_networking_secgroup.sg[count.index].id]
  availability_zone  = data.huaweicloud_availability_zones.zones.names[count.index]
  network {
    uuid = huaweicloud_vpc_subnet.subnet[count.index].id
  }
}
