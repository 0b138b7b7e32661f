module "net" {
  source = "./modules/net"
  count  = 2
  name   = "net-${count.index}"
}
output "vpc_names" {
  value = module.net[*].vpc_name
}
