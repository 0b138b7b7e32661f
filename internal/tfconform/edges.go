package tfconform

// Edges: number formatting in templates and functions, conversions of
// mixed collections, set and map functions on structured values, and
// variable type conversions.
func init() {
	addExprs("numbers_text", []string{
		`"${1/3}"`, `tostring(1/3)`, `"${0.1 + 0.2}"`, `jsonencode(1/3)`, `"${1e21}"`, `"${-0}"`, `"${100000000000000000000}"`,
		`format("%d", 1.5)`, `format("%.1f", 1)`, `format("%5.2f", -1.005)`, `format("%g", 0.000001)`, `format("%s", 1/3)`,
		`format("%v", 1e21)`, `format("%d", "12")`, `format("%s", true)`, `format("%x", "hi")`, `format("%08d", -42)`,
		`"10" < "9"`, `"a" < "b"`, `tonumber("1e400")`, `tonumber("-0")`, `parseint("7fffffffffffffff", 16)`,
		`parseint("-9223372036854775809", 10)`, `floor(-0.5)`, `ceil(-0.5)`, `abs(-0)`, `log(8, 0)`, `pow(0, 0)`, `pow(-8, 1/3)`,
		`signum(-0)`, `max(1e308, 1e308) * 10`, `sum([0.1, 0.2, 0.3])`, `tostring(sum([0.1, 0.2]))`,
	})
	addExprs("structured", []string{
		`merge({a = 1}, tomap({b = "x"}))`, `merge(tomap({a = "1"}), {b = [1]})`, `merge({a = {x = 1}}, {a = {y = 2}})`,
		`flatten([toset(["b", "a"]), ["c"]])`, `setproduct([{a = 1}], ["x"])`, `setproduct(toset(["b", "a"]), [1])`,
		`zipmap(["a", "b"], [{x = 1}, {y = 2}])`, `coalesce(null, [], ["a"])`, `coalesce({}, {a = 1})`,
		`contains([{a = 1}], {a = 1})`, `contains(toset([["a"]]), ["a"])`, `index([{a = 1}, {a = 2}], {a = 2})`,
		`distinct([{a = 1}, {a = 1}, {a = "1"}])`, `keys({b = 1, a = "x", c = [true]})`, `values({b = 1, a = "x"})`,
		`lookup({a = [1]}, "b", [])`, `lookup({a = [1]}, "b", ["x"])`, `one(toset([]))`, `one([[]])`, `length({for k in ["a", "a"] : k => k...})`,
		`transpose({a = ["x"], b = ["x", "y"]})`, `matchkeys(["a", "b"], [1, 2], [2])`, `sort(["b", "B", "a", "10", "9"])`,
		`reverse(toset(["b", "a"]))`, `slice(toset(["a"]), 0, 1)`, `concat(toset(["b", "a"]), ["c"])`,
		`setunion(toset([1]), ["1"])`, `setintersection([{a = 1}], [{a = 1}])`, `tolist(toset([{a = 1}, {a = 1}]))`,
		`tomap({a = {x = 1}, b = {y = 2}})`, `tomap({a = [1], b = []})`, `tolist([[1], []])`, `tolist([{a = 1}, {b = 2}])`,
		`[for k, v in {a = [1, 2], b = []} : length(v)]`, `{for k, v in {a = {x = 1}} : k => v.x}`, `{a = null}.a == null`,
		`[{a = null}][0].a`, `{a = {b = null}}`, `[null, 1]`, `tolist([null, 1])`, `toset([null, "a"])`,
	})
	addModules(map[string]string{
		"variables/object_extra_attrs": `
variable "o" {
  type    = object({ a = string })
  default = { a = "x", b = 1 }
}
output "o" { value = var.o }
`,
		"variables/map_string_from_numbers": `
variable "m" {
  type    = map(string)
  default = { a = 1, b = true }
}
output "m" { value = var.m }
`,
		"variables/list_number_from_strings": `
variable "l" {
  type    = list(number)
  default = ["1", "2.5"]
}
output "l" { value = var.l }
`,
		"variables/object_missing_attr": `
variable "o" {
  type    = object({ a = string, b = number })
  default = { a = "x" }
}
`,
		"variables/null_in_list_of_objects": `
variable "l" {
  type = list(object({
    a = optional(string, "d")
  }))
  default = [{ a = null }, {}]
}
output "l" { value = var.l }
`,
		"variables/optional_in_map_of_lists": `
variable "m" {
  type = map(list(object({
    p = optional(number, 1)
  })))
  default = { k = [{}, { p = 2 }] }
}
output "m" { value = var.m }
`,
		"outputs/nested_nulls": `
output "o" { value = { a = null, b = [null, 1], c = { d = null } } }
`,
		"outputs/depends_on_local": `
locals {
  x = 1
}
output "o" {
  value      = "v"
  depends_on = [local.x]
}
`,
		"locals/chain_list": `
locals {
  a = 1
  b = local.a + 1
  c = [local.a, local.b]
}
output "c" { value = local.c }
`,
		"locals/self_cycle": `
locals {
  a = local.b
  b = local.a
}
output "a" { value = local.a }
`,
		"data/input_object_nulls": `
resource "terraform_data" "a" {
  input = { a = null, b = 1 }
}
output "o" { value = terraform_data.a.output }
`,
		"data/input_set": `
resource "terraform_data" "a" {
  input = toset(["b", "a"])
}
output "o" { value = terraform_data.a.output }
`,
		"data/output_splat": `
resource "terraform_data" "a" {
  count = 2
  input = count.index
}
output "o" { value = terraform_data.a[*].output }
`,
		"data/for_each_output_map": `
resource "terraform_data" "a" {
  for_each = { x = 1, y = 2 }
  input    = each.value * 10
}
output "o" { value = { for k, v in terraform_data.a : k => v.output } }
`,
	})
}
