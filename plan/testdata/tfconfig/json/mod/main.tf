variable "zone" {
  type = string
}
variable "secret" {
  type      = string
  sensitive = true
  default   = "d"
}
resource "terraform_data" "z" {
  provider = terraform
  input    = var.zone
  lifecycle {
    ignore_changes = [input]
  }
}
output "id" {
  value     = terraform_data.z.id
  sensitive = false
}
output "secret" {
  value     = var.secret
  sensitive = true
}
