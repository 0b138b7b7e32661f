provider "terraform" {
  alias = "other"
}
resource "terraform_data" "g" {
  provider = terraform.other
  input    = "g"
}
