variable "prefix" {
  type        = string
  default     = "x"
  description = "name prefix"
}
variable "secret" {
  type      = string
  default   = "s"
  sensitive = true
}
variable "n" {
  type    = number
  default = "2"
}
locals {
  name = "${var.prefix}-net"
}
resource "terraform_data" "a" {
  input = var.prefix
}
resource "terraform_data" "b" {
  count            = var.n
  input            = { name = "${local.name}-${count.index}", id = terraform_data.a.output, k = 1 }
  triggers_replace = [terraform_data.a.id, "c"]
  depends_on       = [terraform_data.a]
}
resource "terraform_data" "c" {
  for_each         = toset(["p", "q"])
  input            = each.key
  triggers_replace = upper("z")
}
resource "terraform_data" "d" {
  input = [terraform_data.b[0].output, terraform_data.c["p"].output, module.net.id, upper("z"), path.module]
}
resource "terraform_data" "e" {
  for_each = {}
  input    = [module.m2[0].id, module.m2, terraform_data.b[*].id, [for k, v in terraform_data.c : v.output], each.value]
}
resource "terraform_data" "f" {
  input            = [terraform_data.a.output, terraform_data.a.id, var.n, var.n, "x${var.n}"]
  triggers_replace = { a = 1, b = [true, null, "s"] }
  depends_on       = [module.m2]
}
module "net" {
  source = "./modules/net"
  name   = terraform_data.a.output
  size   = 3
}
module "m2" {
  count      = 1
  source     = "./modules/net"
  name       = "n"
  depends_on = [module.net, terraform_data.a]
}
output "a" {
  value       = terraform_data.a.output
  description = "the a"
}
output "s" {
  value     = var.secret
  sensitive = true
}
output "k" {
  value      = 5
  depends_on = [terraform_data.f]
}
