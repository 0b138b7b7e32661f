package tfconform

// More language: check blocks (scoped data sources, checks in called
// modules), plantimestamp, terraform_data's planned output, and the
// corners of conversions, for expressions, splats, templates and
// variable types where implementations part ways.
func init() {
	addExprs("conversion_edges", []string{
		`true ? 1 : "2"`, `false ? 1 : "2"`, `true ? [1] : ["a"]`, `false ? [1] : ["a"]`, `true ? {a = 1} : {b = "x"}`,
		`true ? tomap({a = 1}) : {a = "x"}`, `false ? toset(["a"]) : ["b"]`, `true ? null : {a = 1}`, `true ? [] : [1]`,
		`false ? [] : tolist(["a"])`, `true ? 1 : true`, `false ? "x" : true`, `true ? [1, "a"] : ["b", 2]`,
		`tolist([1, "a"])`, `tolist([true, "x"])`, `tolist([1, true])`, `toset([1, "1"])`, `tomap({a = true, b = "x"})`,
		`tomap({a = [1], b = [true]})`, `tonumber(true)`, `tobool("1")`, `tostring(tolist(["a"]))`, `[1, "a"] == [1, "a"]`,
		`tolist(["a"]) == ["a"]`, `tomap({a = 1}) == {a = 1}`, `1 == "1"`, `"true" == true`, `[null] == [null]`,
	})
	addExprs("for_grouping", []string{
		`{for k, v in {a = 1, b = 2, c = 1} : v => k...}`, `{for s in ["x", "y", "x"] : s => upper(s)...}`,
		`{for s in [] : s => s...}`, `{for i, s in ["a", "b", "a"] : s => i...}`, `{for s in ["a"] : s => [s]...}`,
		`{for s in ["a", "b"] : "k" => s...}`, `{for s in ["a", "b"] : s => s... if s != "b"}`, `[for k, v in {b = 1, a = 2} : "${k}${v}"]`,
		`{for k, v in tomap({b = "1", a = "2"}) : v => k}`, `[for i, v in toset(["b", "a"]) : i]`, `{for k, v in {a = null} : k => v}`,
		`[for v in [1, null, 2] : v if v != null]`, `{for s in ["a", "b"] : s => null}`, `[for x in [[1, 2], [3]] : length(x)]`,
		`{for x in [1, 2] : tostring(x) => x}`, `{for x in [1.5] : x => x}`, `{for x in [true] : x => x}`, `[for x in {a = 1} : x]`,
	})
	addExprs("splat_more", []string{
		`toset([{a = 1}, {a = 2}])[*].a`, `{a = {b = 1}}[*].a.b`, `null[*].a`, `[null, {a = 1}][*].a`, `[[{a = 1}]][*][0].a`,
		`tolist([])[*].a`, `[{a = [1]}, {a = [2, 3]}][*].a[0]`, `[{a = {b = 1}}, {a = {b = 2}}][*].a.b`, `[for o in [{a = 1}] : o][*].a`,
		`tomap({k = {a = 1}})[*].a`, `length([{a = 1}, {a = 2}][*].a)`, `[1, 2][*]`, `"s"[*][0]`, `[{}, {a = 1}][*].a`,
	})
	addExprs("template_strip", []string{
		`"a ${~ "b" ~} c"`, `"a\n  %{~ if true ~}\n  b\n  %{~ endif ~}\n  c"`, `"%{ for x in ["a", "b"] ~}\n${x}\n%{~ endfor ~}"`,
		`"x %{~ for x in [] }${x}%{ endfor ~} y"`, `" ${"a"~}  b"`, `"a  ${~"b"}"`, `"%{if false}a%{else ~}   b%{endif}"`,
		"<<EOT\n  a\n  %{~ if true ~}\n  b\n  %{~ endif ~}\nEOT\n", "<<-EOT\n\t\tx\n\t\t  y\n\tEOT\n", "<<-EOT\n  a\n\n  b\n  EOT\n",
		"<<-EOT\n    a\n  b\n  EOT\n", "<<EOT\n%{ for i in [1, 2] ~}\n${i}\n%{ endfor ~}\nEOT\n", "<<EOT\n$${x} %%{y}\nEOT\n",
		`"${ {a = 1}.a }"`, `"%{ if "true" }y%{ endif }"`, `"%{ if 1 }y%{ endif }"`, `"%{ for k, v in {a = 1} }${k}=${v}%{ endfor }"`,
		`"%{ for v in {a = 1, b = 2} }${v}%{ endfor }"`, `"%{ for v in toset(["b", "a"]) }${v}%{ endfor }"`,
	})

	addModules(map[string]string{
		"check/scoped_data": `
check "state" {
  data "terraform_remote_state" "s" {
    backend = "local"
    config = {
      path = "nonexistent.tfstate"
    }
  }
  assert {
    condition     = length(data.terraform_remote_state.s.outputs) > 0
    error_message = "No outputs."
  }
}
output "o" { value = "done" }
`,
		"check/scoped_data_outside": `
check "state" {
  data "terraform_remote_state" "s" {
    backend = "local"
    config = {
      path = "nonexistent.tfstate"
    }
  }
  assert {
    condition     = data.terraform_remote_state.s.outputs != null
    error_message = "No outputs."
  }
}
output "o" { value = data.terraform_remote_state.s.outputs }
`,
		"check/failing_assert": `
resource "terraform_data" "a" {
  input = 1
}
check "big" {
  assert {
    condition     = terraform_data.a.output > 5
    error_message = "Too small."
  }
}
output "o" { value = terraform_data.a.output }
`,
		"check/constant_assert": `
check "c" {
  assert {
    condition     = true
    error_message = "x"
  }
}
`,
		"plantimestamp/same": `
output "same" { value = plantimestamp() == plantimestamp() }
output "format" { value = can(formatdate("YYYY", plantimestamp())) }
`,
		"plantimestamp/resource": `
resource "terraform_data" "a" {
  input = plantimestamp()
}
output "eq" { value = terraform_data.a.output == plantimestamp() }
`,
		"data/no_input_after_change": `
resource "terraform_data" "a" {
  input = "x"
}
resource "terraform_data" "b" {
  depends_on = [terraform_data.a]
}
output "o" { value = terraform_data.b.output == null }
`,
		"count/from_null_output": `
resource "terraform_data" "a" {}
resource "terraform_data" "b" {
  count = terraform_data.a.output == null ? 1 : 0
}
output "n" { value = length(terraform_data.b) }
`,
		"count/from_computed_map": `
resource "terraform_data" "a" {
  input = { x = 1, y = 2 }
}
resource "terraform_data" "b" {
  count = length(terraform_data.a.output)
}
output "n" { value = length(terraform_data.b) }
`,
		"for_each/from_computed_keys": `
resource "terraform_data" "a" {
  input = { x = 1, y = 2 }
}
resource "terraform_data" "b" {
  for_each = terraform_data.a.output
}
output "n" { value = length(terraform_data.b) }
`,
		"variables/optional_defaults": `
variable "o" {
  type = object({
    a = string
    b = optional(number, 7)
    c = optional(list(string), ["x"])
    d = optional(object({ e = optional(bool, true) }), {})
  })
  default = { a = "s" }
}
output "o" { value = var.o }
`,
		"variables/optional_null": `
variable "o" {
  type = object({
    a = optional(string)
  })
  default = {}
}
output "o" { value = var.o.a == null }
`,
		"variables/optional_nested_list": `
variable "l" {
  type = list(object({
    n = string
    p = optional(number, 80)
  }))
  default = [{ n = "a" }, { n = "b", p = 1 }]
}
output "p" { value = var.l[*].p }
`,
		"variables/optional_map_values": `
variable "m" {
  type = map(object({
    on = optional(bool, false)
  }))
  default = { a = {}, b = { on = true } }
}
output "m" { value = var.m }
`,
		"variables/nullable_false_default": `
variable "s" {
  type     = string
  default  = "d"
  nullable = false
}
output "s" { value = var.s }
`,
		"variables/nullable_true_null": `
variable "s" {
  type    = string
  default = null
}
output "null" { value = var.s == null }
`,
		"variables/any_list": `
variable "v" {
  type    = any
  default = [1, "a"]
}
output "v" { value = var.v }
`,
		"variables/list_any": `
variable "v" {
  type    = list(any)
  default = [1, 2]
}
output "v" { value = var.v }
`,
		"variables/map_any_mixed": `
variable "v" {
  type    = map(any)
  default = { a = 1, b = "x" }
}
output "v" { value = var.v }
`,
		"variables/set_dedup": `
variable "v" {
  type    = set(string)
  default = ["b", "a", "b"]
}
output "v" { value = var.v }
`,
		"variables/tuple_type": `
variable "v" {
  type    = tuple([string, number])
  default = ["a", "1"]
}
output "v" { value = var.v }
`,
		"ephemeral/variable": `
variable "e" {
  type      = string
  default   = "x"
  ephemeral = true
}
output "o" { value = "ok" }
`,
		"ephemeral/output_root": `
output "o" {
  value     = "x"
  ephemeral = true
}
`,
		"ephemeral/variable_in_output": `
variable "e" {
  type      = string
  default   = "x"
  ephemeral = true
}
output "o" { value = var.e }
`,
		"ephemeral/ephemeralasnull": `
variable "e" {
  type      = string
  default   = "x"
  ephemeral = true
}
output "o" { value = ephemeralasnull(var.e) == null }
`,
		"ephemeral/resource_argument": `
variable "e" {
  type      = string
  default   = "x"
  ephemeral = true
}
resource "terraform_data" "a" {
  input = var.e
}
`,
		"ephemeral/through_local": `
variable "e" {
  type      = string
  default   = "x"
  ephemeral = true
}
locals {
  l = "${var.e}-y"
}
output "o" { value = local.l }
`,
		"ephemeral/count": `
variable "e" {
  type      = number
  default   = 2
  ephemeral = true
}
resource "terraform_data" "a" {
  count = var.e
}
output "n" { value = length(terraform_data.a) }
`,
		"ephemeral/for_each": `
variable "e" {
  type      = set(string)
  default   = ["a"]
  ephemeral = true
}
resource "terraform_data" "a" {
  for_each = var.e
}
output "n" { value = length(terraform_data.a) }
`,
		"ephemeral/applying": `
output "o" { value = terraform.applying }
`,
		"ephemeral/applying_asnull": `
output "o" { value = ephemeralasnull(terraform.applying) }
`,
		"ephemeral/condition": `
variable "e" {
  type      = string
  default   = "x"
  ephemeral = true
}
output "o" { value = var.e == "x" ? "yes" : "no" }
`,
		"ephemeral/sensitive_too": `
variable "e" {
  type      = string
  default   = "x"
  ephemeral = true
  sensitive = true
}
output "o" { value = ephemeralasnull(var.e) }
`,
	})
	addExprs("ephemeral", []string{
		`ephemeralasnull("x")`, `ephemeralasnull(null)`, `ephemeralasnull([1, 2])`, `ephemeralasnull({a = sensitive(1)}).a`,
		`ephemeralasnull()`, `ephemeralasnull(1, 2)`, `terraform.applying`, `issensitive(ephemeralasnull(sensitive(1)))`,
	})
	trees["ephemeral/child_output"] = tree{
		root: `
module "m" {
  source = "./modules/m"
  e      = "x"
}
output "o" { value = ephemeralasnull(module.m.o) == null }
`,
		children: map[string]string{"m": `
variable "e" {
  ephemeral = true
}
output "o" {
  value     = var.e
  ephemeral = true
}
`},
	}
	trees["ephemeral/child_output_undeclared"] = tree{
		root: `
module "m" {
  source = "./modules/m"
  e      = "x"
}
output "o" { value = ephemeralasnull(module.m.o) == null }
`,
		children: map[string]string{"m": `
variable "e" {
  ephemeral = true
}
output "o" { value = var.e }
`},
	}
	trees["ephemeral/to_plain_variable"] = tree{
		root: `
variable "e" {
  default   = "x"
  ephemeral = true
}
module "m" {
  source = "./modules/m"
  v      = var.e
}
output "o" { value = module.m.o }
`,
		children: map[string]string{"m": `
variable "v" {}
output "o" { value = "ok" }
`},
	}

	trees["check/in_child"] = tree{
		root: `
module "m" {
  source = "./modules/m"
  n      = 1
}
output "o" { value = module.m.n }
`,
		children: map[string]string{"m": `
variable "n" {}
check "positive" {
  assert {
    condition     = var.n > 5
    error_message = "n is ${var.n}."
  }
}
output "n" { value = var.n }
`},
	}
}
