variable "names" {
type = list
   default = ["a","b"]
}
variable legacy {
  type = "map"
}
variable "s" { type = "string" }

locals {
  short = 1
  much_longer_name = "${var.s}"
  templ = "${var.s}-x"
  nested = "${lookup(var.legacy, "${var.s}", "d")}"
  multi = "${
    var.s == "" ? "empty" : var.s
  }"
}

resource "huaweicloud_vpc" "vpc" {
    name = "${local.templ}"   # a comment
  cidr="10.0.0.0/8"
  tags = {
    a = 1
    longer_key = "v"
  }
  lifecycle {
  ignore_changes = [tags]
  }
}
