package tfconform

// tree is a module case that calls child modules.
type tree struct {
	root     string
	children map[string]string
}

// trees are module cases with child modules, by name.
var trees = map[string]tree{}

// Sensitivity: values marked by sensitive(), sensitive variables and
// sensitive outputs of called modules, carried through every kind of
// expression. An expression case's output is not declared sensitive, so a
// sensitive result is Terraform's error; issensitive shows the marks.
func init() {
	addExprs("sensitivity", []string{
		`issensitive(upper(sensitive("a")))`,
		`issensitive(sensitive(1) + 1)`,
		`issensitive(sensitive(1) == 1)`,
		`issensitive(!sensitive(true))`,
		`issensitive(true ? sensitive(1) : 2)`,
		`issensitive(false ? sensitive(1) : 2)`,
		`issensitive(sensitive(true) ? 1 : 2)`,
		`issensitive("${sensitive("a")}b")`,
		`issensitive("%{if sensitive(true)}a%{endif}")`,
		`issensitive("%{for x in sensitive(["a"])}${x}%{endfor}")`,
		`issensitive([for x in [sensitive("a")] : x])`,
		`issensitive([for x in [sensitive("a")] : x][0])`,
		`issensitive([for x in sensitive(["a"]) : x])`,
		`issensitive({for k, v in {a = sensitive(1)} : k => v})`,
		`issensitive({for k, v in {a = sensitive(1)} : k => v}.a)`,
		`issensitive(length(sensitive([1])))`,
		`issensitive(length([sensitive(1)]))`,
		`issensitive(jsonencode({a = sensitive(1)}))`,
		`issensitive(keys(sensitive({a = 1})))`,
		`issensitive(sensitive({a = 1}).a)`,
		`issensitive(sensitive({a = 1})["a"])`,
		`issensitive(sensitive([1, 2])[0])`,
		`issensitive([sensitive(1), 2][1])`,
		`issensitive(lookup({a = sensitive(1)}, "a"))`,
		`issensitive(lookup({a = 1}, sensitive("a")))`,
		`issensitive(tostring(sensitive(1)))`,
		`issensitive(sensitive(null))`,
		`issensitive(coalesce(sensitive(""), "x"))`,
		`issensitive(try(sensitive(1), 2))`,
		`issensitive(can(sensitive(1)))`,
		`issensitive(merge({a = sensitive(1)}, {b = 2}))`,
		`issensitive(merge({a = sensitive(1)}, {b = 2}).b)`,
		`issensitive(toset([sensitive("a")]))`,
		`issensitive(format("%s", sensitive("x")))`,
		`issensitive(split(",", sensitive("a,b"))[0])`,
		`issensitive(one([sensitive(1)]))`,
		`issensitive(sensitive([{a = 1}])[*].a)`,
		`issensitive([{a = sensitive(1)}][*].a)`,
		`issensitive(element(sensitive(["a"]), 0))`,
		`issensitive(concat([sensitive(1)], [2]))`,
		`issensitive(flatten([[sensitive(1)]]))`,
		`issensitive(tolist(sensitive(["a"])))`,
		`issensitive(sensitive(sensitive(1)))`,
		`issensitive(nonsensitive([sensitive(1)]))`,
		`nonsensitive(sensitive([1, 2]))`,
		`nonsensitive([sensitive(1)])`,
		`nonsensitive(upper(sensitive("a")))`,
		`nonsensitive(sensitive({a = 1}).a)`,
		`nonsensitive(sensitive(null))`,
		`nonsensitive(null)`,
		`sensitive(1) + 1`,
		`[sensitive(1)]`,
		`{a = sensitive(1)}`,
		`length(sensitive("abc"))`,
		`issensitive(1, 2)`,
		`issensitive()`,
		`sensitive()`,
		`sensitive(1, 2)`,
		`nonsensitive()`,
		`tostring(issensitive(sensitive("a")))`,
		`[for x in sensitive(["a", "b"]) : nonsensitive(x)]`,
		`nonsensitive(jsondecode(sensitive("{\"a\": 1}")))`,
		`nonsensitive(sensitive(1) > 0 ? "pos" : "neg")`,
		`nonsensitive("${sensitive("a")}-b")`,
		`issensitive(merge(sensitive(null)))`,
	})
	addModules(map[string]string{
		"sensitive/variable_marks": `
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
output "is" { value = issensitive(var.secret) }
output "derived" { value = issensitive("x-${var.secret}") }
output "len" { value = nonsensitive(length(var.secret)) }
output "clear" { value = nonsensitive(upper(var.secret)) }
`,
		"sensitive/variable_list_element": `
variable "secrets" {
  type      = list(string)
  default   = ["a", "b"]
  sensitive = true
}
output "first" { value = issensitive(var.secrets[0]) }
output "all" {
  value     = var.secrets
  sensitive = true
}
`,
		"sensitive/output_nested": `
output "o" { value = { a = 1, b = sensitive("x") } }
`,
		"sensitive/output_nested_declared": `
output "o" {
  value     = { a = 1, b = sensitive("x") }
  sensitive = true
}
`,
		"sensitive/output_via_local": `
locals {
  s = sensitive("x")
  t = "${local.s}-y"
}
output "o" { value = local.t }
`,
		"sensitive/output_nonsensitive_local": `
locals {
  s = sensitive("x")
}
output "o" { value = nonsensitive(local.s) }
`,
		"sensitive/for_each_map_keys": `
variable "m" {
  default   = { a = "1" }
  sensitive = true
}
resource "terraform_data" "a" {
  for_each = var.m
  input    = each.key
}
`,
		"sensitive/for_each_set": `
resource "terraform_data" "a" {
  for_each = toset([sensitive("a")])
  input    = each.key
}
`,
		"sensitive/for_each_values": `
resource "terraform_data" "a" {
  for_each = { k = sensitive("v") }
  input    = each.value
}
output "in" { value = issensitive(terraform_data.a["k"].input) }
output "out" { value = issensitive(terraform_data.a["k"].output) }
output "key" { value = terraform_data.a["k"].output == "v" }
`,
		"sensitive/for_each_nonsensitive": `
variable "m" {
  default   = { a = "1" }
  sensitive = true
}
resource "terraform_data" "a" {
  for_each = nonsensitive(var.m)
  input    = each.value
}
output "keys" { value = keys(terraform_data.a) }
output "marked" { value = issensitive(terraform_data.a["a"].input) }
`,
		"sensitive/count": `
resource "terraform_data" "a" {
  count = sensitive(2)
}
output "n" { value = length(terraform_data.a) }
`,
		"sensitive/resource_input": `
resource "terraform_data" "a" {
  input = sensitive("x")
}
output "in" { value = issensitive(terraform_data.a.input) }
output "out" { value = issensitive(terraform_data.a.output) }
output "whole" {
  value     = terraform_data.a.input
  sensitive = true
}
`,
		"sensitive/resource_input_nested": `
resource "terraform_data" "a" {
  input = { user = "u", pass = sensitive("p") }
}
output "user" { value = terraform_data.a.input.user }
output "pass" { value = issensitive(terraform_data.a.input.pass) }
`,
		"sensitive/resource_input_output_refused": `
resource "terraform_data" "a" {
  input = sensitive("x")
}
output "o" { value = terraform_data.a.input }
`,
		"sensitive/precondition_message": `
variable "secret" {
  default   = "x"
  sensitive = true
}
output "o" {
  value = "ok"
  precondition {
    condition     = var.secret == "x"
    error_message = "Secret ${var.secret} is wrong."
  }
}
`,
		"sensitive/validation": `
variable "secret" {
  type      = string
  default   = "abc"
  sensitive = true
  validation {
    condition     = length(var.secret) > 2
    error_message = "Too short."
  }
}
output "ok" { value = nonsensitive(var.secret) }
`,
		"sensitive/conditional_condition": `
variable "flag" {
  default   = true
  sensitive = true
}
output "o" { value = var.flag ? "a" : "b" }
`,
		"sensitive/conditional_nonsensitive": `
variable "flag" {
  default   = true
  sensitive = true
}
output "o" { value = nonsensitive(var.flag) ? "a" : "b" }
`,
	})

	trees["sensitive/child_output"] = tree{
		root: `
module "m" { source = "./modules/m" }
output "is" { value = issensitive(module.m.secret) }
output "o" {
  value     = module.m.secret
  sensitive = true
}
`,
		children: map[string]string{"m": `
output "secret" {
  value     = "x"
  sensitive = true
}
`},
	}
	trees["sensitive/child_output_refused"] = tree{
		root: `
module "m" { source = "./modules/m" }
output "o" { value = module.m.secret }
`,
		children: map[string]string{"m": `
output "secret" {
  value     = "x"
  sensitive = true
}
`},
	}
	trees["sensitive/child_output_undeclared"] = tree{
		root: `
module "m" { source = "./modules/m" }
output "o" {
  value     = module.m.secret
  sensitive = true
}
`,
		children: map[string]string{"m": `
output "secret" { value = sensitive("x") }
`},
	}
	trees["sensitive/child_variable"] = tree{
		root: `
module "m" {
  source = "./modules/m"
  s      = "x"
}
output "o" { value = module.m.o }
`,
		children: map[string]string{"m": `
variable "s" { sensitive = true }
output "o" { value = nonsensitive(issensitive(var.s)) }
`},
	}
	trees["sensitive/child_variable_passed"] = tree{
		root: `
module "m" {
  source = "./modules/m"
  s      = sensitive("x")
}
output "o" { value = module.m.o }
`,
		children: map[string]string{"m": `
variable "s" {}
output "o" { value = issensitive(var.s) }
`},
	}
	trees["sensitive/child_plain"] = tree{
		root: `
module "m" {
  source = "./modules/m"
  s      = "x"
}
output "o" { value = module.m.o }
`,
		children: map[string]string{"m": `
variable "s" {}
output "o" { value = "${var.s}-y" }
`},
	}
}
