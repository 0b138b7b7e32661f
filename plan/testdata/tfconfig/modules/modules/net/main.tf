variable "name" { type = string }
variable "size" {
  type    = number
  default = 1
}
resource "terraform_data" "n" {
  input = "${var.name}/${var.size}"
}
output "id" { value = terraform_data.n.id }
