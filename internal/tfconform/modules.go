package tfconform

import "fmt"

// modules are whole root modules — variables, locals, outputs, custom
// conditions and the terraform provider's terraform_data with count and
// for_each — each a case of its own, deployed.
var modules = map[string]string{
	"data/input_output": `
resource "terraform_data" "a" {
  input = { name = "a", list = [1, 2] }
}
output "out" { value = terraform_data.a.output }
output "in" { value = terraform_data.a.input.name }
`,
	"data/null_input": `
resource "terraform_data" "a" {}
output "is_null" { value = terraform_data.a.output == null }
`,
	"data/triggers": `
resource "terraform_data" "a" {
  triggers_replace = ["x"]
  input            = "v"
}
output "t" { value = terraform_data.a.triggers_replace }
output "o" { value = terraform_data.a.output }
`,
	"data/id_is_uuid": `
resource "terraform_data" "a" {}
output "len" { value = length(terraform_data.a.id) }
output "shape" { value = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", terraform_data.a.id)) }
`,
	"data/unknown_argument": `
resource "terraform_data" "a" {
  nope = 1
}
`,
	"data/chain": `
resource "terraform_data" "a" {
  input = "first"
}
resource "terraform_data" "b" {
  input = "${terraform_data.a.output}-second"
}
output "b" { value = terraform_data.b.output }
`,
	"count/basic": `
resource "terraform_data" "a" {
  count = 3
  input = "item-${count.index}"
}
output "all" { value = terraform_data.a[*].output }
output "second" { value = terraform_data.a[1].output }
output "n" { value = length(terraform_data.a) }
`,
	"count/zero_try": `
variable "given" {
  default = ""
}
resource "terraform_data" "p" {
  count = var.given == "" ? 0 : 1
  input = "generated"
}
output "try" { value = try(terraform_data.p[0].output, "fallback") }
output "cond" { value = var.given != "" ? var.given : try(terraform_data.p[0].output, null) }
output "n" { value = length(terraform_data.p) }
`,
	"count/zero_index_error": `
resource "terraform_data" "p" {
  count = 0
}
output "x" { value = terraform_data.p[0].id }
`,
	"count/from_plan_known": `
resource "terraform_data" "a" {
  input = ["x", "y", "z"]
}
resource "terraform_data" "b" {
  count = length(terraform_data.a.input)
  input = terraform_data.a.input[count.index]
}
output "b" { value = terraform_data.b[*].output }
`,
	"count/from_computed": `
resource "terraform_data" "a" {
  input = ["x"]
}
resource "terraform_data" "b" {
  count = length(terraform_data.a.output)
}
`,
	"count/local": `
locals {
  names = ["a", "b"]
}
resource "terraform_data" "a" {
  count = length(local.names)
  input = upper(local.names[count.index])
}
output "o" { value = [for d in terraform_data.a : d.output] }
`,
	"count/negative": `
resource "terraform_data" "a" {
  count = -1
}
`,
	"count/string": `
resource "terraform_data" "a" {
  count = "2"
}
output "n" { value = length(terraform_data.a) }
`,
	"for_each/map": `
resource "terraform_data" "a" {
  for_each = { x = 1, y = 2 }
  input    = each.value * 10
}
output "o" { value = { for k, v in terraform_data.a : k => v.output } }
output "keys" { value = keys(terraform_data.a) }
`,
	"for_each/set": `
resource "terraform_data" "a" {
  for_each = toset(["b", "a"])
  input    = "${each.key}=${each.value}"
}
output "o" { value = terraform_data.a["a"].output }
`,
	"for_each/over_resource": `
resource "terraform_data" "a" {
  for_each = toset(["p", "q"])
  input    = each.key
}
resource "terraform_data" "b" {
  for_each = terraform_data.a
  input    = "from-${each.value.output}"
}
output "o" { value = { for k, v in terraform_data.b : k => v.output } }
`,
	"for_each/list_error": `
resource "terraform_data" "a" {
  for_each = ["a"]
}
`,
	"for_each/unknown_keys": `
resource "terraform_data" "a" {
  input = "k"
}
resource "terraform_data" "b" {
  for_each = toset([terraform_data.a.output])
}
`,
	"for_each/null_in_set": `
resource "terraform_data" "a" {
  for_each = toset(["a", null])
}
`,
	"depends_on/resource": `
resource "terraform_data" "a" {
  input = 1
}
resource "terraform_data" "b" {
  input      = 2
  depends_on = [terraform_data.a]
}
output "o" { value = terraform_data.b.output }
`,
	"depends_on/local": `
locals {
  x = 1
}
resource "terraform_data" "b" {
  input      = local.x
  depends_on = [local.x]
}
output "o" { value = terraform_data.b.output }
`,
	"conditions/precondition_pass": `
variable "n" {
  default = 2
}
resource "terraform_data" "a" {
  input = var.n
  lifecycle {
    precondition {
      condition     = var.n > 0
      error_message = "n must be positive."
    }
  }
}
output "o" { value = terraform_data.a.output }
`,
	"conditions/precondition_fail": `
variable "n" {
  default = -2
}
resource "terraform_data" "a" {
  input = var.n
  lifecycle {
    precondition {
      condition     = var.n > 0
      error_message = "n must be positive."
    }
  }
}
`,
	"conditions/postcondition_pass": `
resource "terraform_data" "a" {
  input = "abc"
  lifecycle {
    postcondition {
      condition     = self.output == "abc"
      error_message = "bad output"
    }
  }
}
output "o" { value = terraform_data.a.output }
`,
	"conditions/postcondition_fail": `
resource "terraform_data" "a" {
  input = "abc"
  lifecycle {
    postcondition {
      condition     = self.output == "xyz"
      error_message = "The output is ${self.output}."
    }
  }
}
`,
	"conditions/output_precondition": `
variable "v" {
  default = "ok"
}
output "o" {
  value = var.v
  precondition {
    condition     = length(var.v) > 5
    error_message = "Too short."
  }
}
`,
	"conditions/null_result": `
resource "terraform_data" "a" {
  lifecycle {
    precondition {
      condition     = null
      error_message = "x"
    }
  }
}
`,
	"variables/defaults": `
variable "s" {
  default = "x"
}
variable "n" {
  type    = number
  default = "5"
}
variable "o" {
  type = object({ a = string, b = optional(number, 7) })
  default = { a = "y" }
}
output "s" { value = var.s }
output "n" { value = var.n }
output "o" { value = var.o }
`,
	"variables/validation_fail": `
variable "s" {
  default = "abc"
  validation {
    condition     = length(var.s) > 5
    error_message = "Too short."
  }
}
output "s" { value = var.s }
`,
	"variables/validation_other_variable": `
variable "min" {
  default = 2
}
variable "n" {
  default = 3
  validation {
    condition     = var.n > var.min
    error_message = "n must exceed min."
  }
}
output "n" { value = var.n }
`,
	"variables/validation_other_variable_fail": `
variable "min" {
  default = 5
}
variable "n" {
  default = 3
  validation {
    condition     = var.n > var.min
    error_message = "n must exceed min."
  }
}
output "n" { value = var.n }
`,
	"variables/nullable_false": `
variable "s" {
  type     = string
  default  = null
  nullable = false
}
output "s" { value = var.s }
`,
	"variables/sensitive_output": `
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
output "o" {
  value     = var.secret
  sensitive = true
}
`,
	"variables/sensitive_not_marked": `
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
output "o" { value = var.secret }
`,
	"outputs/null_left_out": `
output "n" { value = null }
output "s" { value = "x" }
`,
	"outputs/unknown_after_apply": `
output "o" { value = contains(["a", null], null) }
`,
	"outputs/depends_on": `
resource "terraform_data" "a" {}
output "o" {
  value      = "v"
  depends_on = [terraform_data.a]
}
`,
	"locals/chain": `
locals {
  a = 1
  b = local.a + 1
  c = [for i in range(local.b) : i * 2]
}
output "c" { value = local.c }
`,
	"locals/cycle": `
locals {
  a = local.b
  b = local.a
}
`,
	"check/passes": `
variable "n" {
  default = 1
}
check "ok" {
  assert {
    condition     = var.n == 1
    error_message = "never"
  }
}
output "o" { value = var.n }
`,
	"check/fails_as_warning": `
resource "terraform_data" "a" {
  input = 2
}
check "bad" {
  assert {
    condition     = terraform_data.a.output == 1
    error_message = "It failed."
  }
}
output "o" { value = terraform_data.a.output }
`,
	"check/constant_condition": `
check "c" {
  assert {
    condition     = true
    error_message = "x"
  }
}
`,
	"terraform/required_version_ok": `
terraform {
  required_version = ">= 1.0"
}
output "o" { value = 1 }
`,
	"terraform/required_version_excluded": `
terraform {
  required_version = ">= 99.0"
}
output "o" { value = 1 }
`,
	"terraform/workspace": `
output "w" { value = terraform.workspace }
`,
	"moved/fresh": `
resource "terraform_data" "b" {
  input = 1
}
moved {
  from = terraform_data.a
  to   = terraform_data.b
}
output "o" { value = terraform_data.b.output }
`,
	"removed/fresh": `
removed {
  from = terraform_data.gone
  lifecycle {
    destroy = false
  }
}
output "o" { value = 1 }
`,
	"json/basic": `{
  "variable": { "v": { "default": "x" } },
  "resource": { "terraform_data": { "a": { "input": "${var.v}-json" } } },
  "output": { "o": { "value": "${terraform_data.a.output}" } }
}`,
	"json/lifecycle_object": `{
  "resource": { "terraform_data": { "a": {
    "input": "v",
    "lifecycle": { "create_before_destroy": true }
  } } },
  "output": { "o": { "value": "${terraform_data.a.output}" } }
}`,
	"json/count": `{
  "resource": { "terraform_data": { "a": { "count": 2, "input": "${count.index}" } } },
  "output": { "o": { "value": "${terraform_data.a[*].output}" } }
}`,
}

func init() {
	modules["depends_on/variable"] = `
variable "x" {
  default = 1
}
resource "terraform_data" "b" {
  input      = var.x
  depends_on = [var.x]
}
output "o" { value = terraform_data.b.output }
`
	modules["terraform/provider_meta"] = `
terraform {
  provider_meta "terraform" {
    hello = "world"
  }
}
output "o" { value = 1 }
`
}

func init() {
	modules["templatestring/basic"] = `
locals {
  t = "Hello, $${name}! %{ for x in items }[$${x}]%{ endfor }"
}
output "o" { value = templatestring(local.t, { name = "world", items = [1, 2] }) }
`
	modules["templatestring/functions"] = `
variable "t" {
  default = "$${upper(a)}-$${length(b)}"
}
output "o" { value = templatestring(var.t, { a = "x", b = [1, 2, 3] }) }
`
	modules["templatestring/inline_refused"] = `
output "o" { value = templatestring("$${a}", { a = 1 }) }
`
	modules["templatestring/missing_var"] = `
locals {
  t = "$${a} $${b}"
}
output "o" { value = templatestring(local.t, { a = 1 }) }
`
	modules["templatestring/recursive"] = `
locals {
  t = "$${templatestring(x, {})}"
}
output "o" { value = templatestring(local.t, { x = "y" }) }
`
	modules["plantimestamp/format"] = `
output "len" { value = length(plantimestamp()) }
output "parses" { value = can(formatdate("YYYY", plantimestamp())) }
`
}

// providerCalls are calls of the built-in provider's functions, each a
// module that requires the provider (as Terraform asks).
var providerCalls = map[string][]string{
	"encode_tfvars": {`{a = 1, b = "x", c = [true]}`, `{}`, `{"not an identifier" = 1}`, `"x"`, `tomap({z = "1", a = "2"})`},
	"decode_tfvars": {`"a = 1\nb = \"x\""`, `""`, `"a = var.x"`, `"a ="`},
	"encode_expr":   {`"hello"`, `{a = [1, 2], b = null}`, `null`, `1.5`, `[]`, `tolist(["a"])`},
}

func init() {
	const required = `terraform {
  required_providers {
    tf = { source = "terraform.io/builtin/terraform" }
  }
}
`
	for fn, argss := range providerCalls {
		for i, args := range argss {
			modules[fmt.Sprintf("provider_functions/%s/%02d", fn, i)] = required + fmt.Sprintf("output \"v\" { value = provider::tf::%s(%s) }\n", fn, args)
		}
	}
	modules["provider_functions/not_required"] = "output \"v\" { value = provider::terraform::encode_expr(1) }\n"
}

func init() {
	modules["expr/splat_for_each"] = `
resource "terraform_data" "a" {
  for_each = { b = 2, a = 1, c = 3 }
  input    = each.value
}
output "values" { value = values(terraform_data.a)[*].output }
output "sorted_keys" { value = [for k, v in terraform_data.a : k] }
`
	modules["expr/numbers"] = `
resource "terraform_data" "a" {
  input = [1e21, 0.1, 1/3, -0.0, 12345678901234567890, 1.5e-7]
}
output "o" { value = terraform_data.a.output }
output "first" { value = terraform_data.a.output[0] }
`
	modules["expr/conditional_resource"] = `
variable "on" {
  default = false
}
resource "terraform_data" "a" {
  count = var.on ? 1 : 0
  input = "x"
}
output "o" { value = var.on ? terraform_data.a[0].output : "off" }
output "one" { value = one(terraform_data.a[*].output) }
`
	modules["expr/nested_for"] = `
locals {
  envs = { dev = ["a", "b"], prod = ["c"] }
  flat = flatten([for env, apps in local.envs : [for app in apps : { key = "${env}-${app}", env = env }]])
}
resource "terraform_data" "a" {
  for_each = { for x in local.flat : x.key => x }
  input    = each.value.env
}
output "o" { value = { for k, v in terraform_data.a : k => v.output } }
`
	modules["expr/string_template_resource"] = `
resource "terraform_data" "a" {
  count = 2
  input = "n${count.index}"
}
output "o" { value = "%{for d in terraform_data.a}${d.output};%{endfor}" }
output "joined" { value = join(",", terraform_data.a[*].output) }
`
	modules["expr/object_output"] = `
resource "terraform_data" "a" {
  input = { list = [1, "two", true], map = { k = null } }
}
output "o" { value = terraform_data.a.output }
output "type_list" { value = terraform_data.a.output.list }
`
	modules["expr/set_output"] = `
resource "terraform_data" "a" {
  input = toset(["b", "a", "b"])
}
output "o" { value = terraform_data.a.output }
`
	modules["expr/lookup_resource"] = `
resource "terraform_data" "a" {
  input = { x = "1" }
}
output "hit" { value = lookup(terraform_data.a.output, "x", "none") }
output "miss" { value = lookup(terraform_data.a.output, "y", "none") }
`
	modules["expr/try_attribute"] = `
resource "terraform_data" "a" {
  input = { x = "1" }
}
output "o" { value = try(terraform_data.a.output.y, "fallback") }
output "can" { value = can(terraform_data.a.output.x) }
`
	modules["variables/validation_fail_local"] = `
variable "n" {
  default = 3
  validation {
    condition     = var.n > 10
    error_message = "Too small: ${var.n}."
  }
}
`
	modules["variables/type_conversion_error"] = `
variable "n" {
  type    = number
  default = "abc"
}
`
	modules["outputs/sensitive_declared"] = `
output "o" {
  value     = "x"
  sensitive = true
}
`
	modules["data/replace_on_input_type"] = `
resource "terraform_data" "a" {
  input = 1
}
resource "terraform_data" "b" {
  input = terraform_data.a.output + 1
}
output "o" { value = terraform_data.b.output }
`
}

func init() {
	modules["data/unknown_input_after_apply"] = `
resource "terraform_data" "a" {
  input = contains(["a", null], null)
}
`
	modules["data/unknown_input_from_resource"] = `
resource "terraform_data" "a" {
  input = "x"
}
resource "terraform_data" "b" {
  input = contains([terraform_data.a.output, null], null)
}
`
}
