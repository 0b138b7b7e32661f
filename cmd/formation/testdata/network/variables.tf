variable "prefix" {
  type        = string
  description = "the prefix of every name"
}

variable "subnets" {
  type        = number
  default     = 2
  description = "how many subnets"
}
