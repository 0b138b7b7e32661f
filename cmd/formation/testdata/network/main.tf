# A VPC with subnets: the scenario template of the CLI's tests and of
# .ci/cli-scenario.sh.
resource "huaweicloud_vpc" "vpc" {
  name = "${var.prefix}-vpc"
  cidr = "10.0.0.0/8"
}

resource "huaweicloud_vpc_subnet" "subnet" {
  count      = var.subnets
  name       = "${var.prefix}-subnet-${count.index}"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = cidrsubnet("10.0.0.0/8", 16, count.index)
  gateway_ip = cidrhost(cidrsubnet("10.0.0.0/8", 16, count.index), 1)
}

output "vpc_id" {
  description = "the VPC's id"
  value       = huaweicloud_vpc.vpc.id
}
