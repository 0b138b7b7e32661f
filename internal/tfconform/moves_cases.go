package tfconform

import (
	"sort"
	"strings"
)

// td is a terraform_data block with an input and the outputs of its id
// (id_NAME, kept or new) and output (out_NAME) — what shows whether a
// step created the object again. Extra lines (count, for_each,
// triggers_replace) go inside the block.
func td(name, input string, extra ...string) string {
	var b strings.Builder
	b.WriteString("resource \"terraform_data\" \"" + name + "\" {\n  input = " + input + "\n")
	for _, e := range extra {
		b.WriteString("  " + e + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// idOut is the output of an instance's id, named id_<label>.
func idOut(label, addr string) string {
	return "output \"id_" + label + "\" { value = " + addr + ".id }\n"
}

func movedBlock(from, to string) string {
	return "moved {\n  from = " + from + "\n  to   = " + to + "\n}\n"
}

func removedBlock(from string, destroy string) string {
	s := "removed {\n  from = " + from + "\n"
	if destroy != "" {
		s += "  lifecycle {\n    destroy = " + destroy + "\n  }\n"
	}
	return s + "}\n"
}

// childModule is a module with one terraform_data and its id as output.
var childModule = map[string]string{"m/main.tf": `
variable "v" {
  default = "m"
}
resource "terraform_data" "r" {
  input = var.v
}
output "id" { value = terraform_data.r.id }
`}

// nestedModules are an outer module calling the child module as "in",
// and another calling it as "renamed".
var nestedModules = map[string]string{
	"inner/main.tf":  childModule["m/main.tf"],
	"outer/main.tf":  "module \"in\" {\n  source = \"../inner\"\n}\noutput \"id\" { value = module.in.id }\n",
	"outer2/main.tf": "module \"renamed\" {\n  source = \"../inner\"\n}\noutput \"id\" { value = module.renamed.id }\n",
}

// stepCases are the two-step cases by name: the moves Terraform carries
// out (explicit, chained, implied, into, out of and between modules) and
// refuses, and removed blocks.
var stepCases = map[string]StepCase{
	"moved/resource": {
		Before: td("a", `"x"`) + idOut("a", "terraform_data.a"),
		After:  td("b", `"x"`) + idOut("a", "terraform_data.b") + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/resource_and_update": {
		Before: td("a", `"x"`) + idOut("a", "terraform_data.a"),
		After:  td("b", `"y"`) + idOut("a", "terraform_data.b") + "output \"out\" { value = terraform_data.b.output }\n" + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/resource_and_replace": {
		Before: td("a", `"x"`, `triggers_replace = "1"`) + idOut("a", "terraform_data.a"),
		After:  td("b", `"x"`, `triggers_replace = "2"`) + idOut("a", "terraform_data.b") + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/referenced": {
		Before: td("a", `"x"`) + td("user", "terraform_data.a.output") + idOut("a", "terraform_data.a") + idOut("user", "terraform_data.user"),
		After:  td("b", `"x"`) + td("user", "terraform_data.b.output") + idOut("a", "terraform_data.b") + idOut("user", "terraform_data.user") + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/to_instance": {
		Before: td("a", `"x"`) + idOut("a", "terraform_data.a"),
		After:  td("a", `"x"`, "count = 2") + idOut("a", "terraform_data.a[1]") + movedBlock("terraform_data.a", "terraform_data.a[1]"),
	},
	"moved/instance_to_resource": {
		Before: td("a", `"x"`, "count = 2") + idOut("a0", "terraform_data.a[0]") + idOut("a1", "terraform_data.a[1]"),
		After:  td("a", `"x"`, "count = 1") + td("b", `"x"`) + idOut("a0", "terraform_data.a[0]") + idOut("a1", "terraform_data.b") + movedBlock("terraform_data.a[1]", "terraform_data.b"),
	},
	"moved/count_to_for_each": {
		Before: td("a", `"x"`, "count = 2") + idOut("a0", "terraform_data.a[0]") + idOut("a1", "terraform_data.a[1]"),
		After: td("a", `"x"`, `for_each = toset(["p", "q"])`) + idOut("a0", `terraform_data.a["p"]`) + idOut("a1", `terraform_data.a["q"]`) +
			movedBlock("terraform_data.a[0]", `terraform_data.a["p"]`) + movedBlock("terraform_data.a[1]", `terraform_data.a["q"]`),
	},
	"moved/for_each_key": {
		Before: td("a", "each.key", `for_each = toset(["p"])`) + idOut("p", `terraform_data.a["p"]`),
		After:  td("a", `"p"`, `for_each = toset(["q"])`) + idOut("p", `terraform_data.a["q"]`) + movedBlock(`terraform_data.a["p"]`, `terraform_data.a["q"]`),
	},
	"moved/whole_resource_with_count": {
		Before: td("a", `"x"`, "count = 2") + idOut("a1", "terraform_data.a[1]"),
		After:  td("b", `"x"`, "count = 2") + idOut("a1", "terraform_data.b[1]") + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/chain": {
		Before: td("a", `"x"`) + idOut("a", "terraform_data.a"),
		After:  td("c", `"x"`) + idOut("a", "terraform_data.c") + movedBlock("terraform_data.a", "terraform_data.b") + movedBlock("terraform_data.b", "terraform_data.c"),
	},
	"moved/chain_written_backwards": {
		Before: td("a", `"x"`) + idOut("a", "terraform_data.a"),
		After:  td("c", `"x"`) + idOut("a", "terraform_data.c") + movedBlock("terraform_data.b", "terraform_data.c") + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/from_nothing": {
		Before: td("other", `"x"`) + idOut("other", "terraform_data.other"),
		After:  td("other", `"x"`) + td("b", `"x"`) + idOut("other", "terraform_data.other") + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/to_undeclared": {
		Before: td("a", `"x"`) + td("keep", `"k"`) + idOut("keep", "terraform_data.keep"),
		After:  td("keep", `"k"`) + idOut("keep", "terraform_data.keep") + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/destination_taken": {
		Before: td("a", `"x"`) + td("b", `"y"`) + idOut("b", "terraform_data.b"),
		After:  td("b", `"y"`) + idOut("b", "terraform_data.b") + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"moved/swap_through_temp": {
		Before: td("a", `"x"`) + idOut("a", "terraform_data.a"),
		After:  td("b", `"x"`) + idOut("a", "terraform_data.b") + movedBlock("terraform_data.a", "terraform_data.tmp") + movedBlock("terraform_data.tmp", "terraform_data.b"),
	},
	"implied/count_added": {
		Before: td("a", `"x"`) + idOut("a", "terraform_data.a"),
		After:  td("a", `"x"`, "count = 2") + idOut("a", "terraform_data.a[0]"),
	},
	"implied/count_removed": {
		Before: td("a", `"x"`, "count = 3") + idOut("a", "terraform_data.a[0]"),
		After:  td("a", `"x"`) + idOut("a", "terraform_data.a"),
	},
	"implied/for_each_added": {
		Before: td("a", `"x"`) + idOut("keep", "terraform_data.keep") + td("keep", `"k"`),
		After:  td("a", `"x"`, `for_each = toset(["p"])`) + idOut("keep", "terraform_data.keep") + td("keep", `"k"`),
	},
	"implied/overridden_by_moved": {
		Before: td("a", `"x"`) + idOut("a", "terraform_data.a"),
		After:  td("a", `"x"`, "count = 2") + idOut("a", "terraform_data.a[1]") + movedBlock("terraform_data.a", "terraform_data.a[1]"),
	},
	"moved/into_module": {
		Files:  childModule,
		Before: td("a", `"m"`) + idOut("a", "terraform_data.a"),
		After:  "module \"m\" {\n  source = \"./m\"\n}\n" + idOut("a", "module.m") + movedBlock("terraform_data.a", "module.m.terraform_data.r"),
	},
	"moved/out_of_module": {
		Files:  childModule,
		Before: "module \"m\" {\n  source = \"./m\"\n}\n" + idOut("a", "module.m"),
		After:  td("a", `"m"`) + idOut("a", "terraform_data.a") + movedBlock("module.m.terraform_data.r", "terraform_data.a"),
	},
	"moved/module_renamed": {
		Files:  childModule,
		Before: "module \"x\" {\n  source = \"./m\"\n}\n" + idOut("a", "module.x"),
		After:  "module \"y\" {\n  source = \"./m\"\n}\n" + idOut("a", "module.y") + movedBlock("module.x", "module.y"),
	},
	"moved/module_to_instance": {
		Files:  childModule,
		Before: "module \"x\" {\n  source = \"./m\"\n}\n" + idOut("a", "module.x"),
		After:  "module \"x\" {\n  source = \"./m\"\n  count  = 1\n}\n" + idOut("a", "module.x[0]") + movedBlock("module.x", "module.x[0]"),
	},
	"moved/module_count_not_implied": {
		Files:  childModule,
		Before: "module \"x\" {\n  source = \"./m\"\n}\n" + idOut("a", "module.x"),
		After:  "module \"x\" {\n  source = \"./m\"\n  count  = 1\n}\n" + idOut("a", "module.x[0]"),
	},
	"moved/module_instances_renamed": {
		Files:  childModule,
		Before: "module \"x\" {\n  source   = \"./m\"\n  for_each = toset([\"p\", \"q\"])\n}\n" + idOut("q", `module.x["q"]`),
		After:  "module \"y\" {\n  source   = \"./m\"\n  for_each = toset([\"p\", \"q\"])\n}\n" + idOut("q", `module.y["q"]`) + movedBlock("module.x", "module.y"),
	},
	"moved/inside_module": {
		Files: map[string]string{"old/main.tf": childModule["m/main.tf"], "m/main.tf": `
resource "terraform_data" "renamed" {
  input = "m"
}
moved {
  from = terraform_data.r
  to   = terraform_data.renamed
}
output "id" { value = terraform_data.renamed.id }
`},
		Before: "module \"x\" {\n  source = \"./old\"\n}\n" + idOut("a", "module.x"),
		After:  "module \"x\" {\n  source = \"./m\"\n}\n" + idOut("a", "module.x"),
	},
	"moved/nested_module": {
		Files:  nestedModules,
		Before: "module \"x\" {\n  source = \"./outer\"\n}\n" + idOut("a", "module.x"),
		After:  "module \"x\" {\n  source = \"./outer2\"\n}\n" + idOut("a", "module.x") + movedBlock("module.x.module.in", "module.x.module.renamed"),
	},
	"moved/module_then_nested": {
		Files:  nestedModules,
		Before: "module \"x\" {\n  source = \"./outer\"\n}\n" + idOut("a", "module.x"),
		After: "module \"y\" {\n  source = \"./outer2\"\n}\n" + idOut("a", "module.y") +
			movedBlock("module.y.module.in", "module.y.module.renamed") + movedBlock("module.x", "module.y"),
	},
	"moved/nested_inside_outer_block": {
		Files: map[string]string{
			"inner/main.tf": childModule["m/main.tf"],
			"outer/main.tf": "module \"in\" {\n  source = \"../inner\"\n}\noutput \"id\" { value = module.in.id }\n",
			"outer2/main.tf": "module \"renamed\" {\n  source = \"../inner\"\n}\noutput \"id\" { value = module.renamed.id }\n" +
				movedBlock("module.in", "module.renamed"),
		},
		Before: "module \"x\" {\n  source = \"./outer\"\n  count  = 2\n}\n" + idOut("a", "module.x[1]"),
		After:  "module \"x\" {\n  source = \"./outer2\"\n  count  = 2\n}\n" + idOut("a", "module.x[1]"),
	},
	"removed/forget": {
		Before: td("a", `"x"`) + td("keep", `"k"`) + idOut("keep", "terraform_data.keep"),
		After:  td("keep", `"k"`) + idOut("keep", "terraform_data.keep") + removedBlock("terraform_data.a", "false"),
	},
	"removed/destroy": {
		Before: td("a", `"x"`) + td("keep", `"k"`) + idOut("keep", "terraform_data.keep"),
		After:  td("keep", `"k"`) + idOut("keep", "terraform_data.keep") + removedBlock("terraform_data.a", "true"),
	},
	"removed/default_destroys": {
		Before: td("a", `"x"`) + td("keep", `"k"`) + idOut("keep", "terraform_data.keep"),
		After:  td("keep", `"k"`) + idOut("keep", "terraform_data.keep") + removedBlock("terraform_data.a", ""),
	},
	"removed/forget_counted": {
		Before: td("a", `"x"`, "count = 2") + td("keep", `"k"`) + idOut("keep", "terraform_data.keep"),
		After:  td("keep", `"k"`) + idOut("keep", "terraform_data.keep") + removedBlock("terraform_data.a", "false"),
	},
	"removed/forget_module": {
		Files:  childModule,
		Before: "module \"m\" {\n  source = \"./m\"\n}\n" + td("keep", `"k"`) + idOut("keep", "terraform_data.keep"),
		After:  td("keep", `"k"`) + idOut("keep", "terraform_data.keep") + removedBlock("module.m", "false"),
	},
	"removed/moved_then_forgotten": {
		Before: td("a", `"x"`) + td("keep", `"k"`) + idOut("keep", "terraform_data.keep"),
		After:  td("keep", `"k"`) + idOut("keep", "terraform_data.keep") + movedBlock("terraform_data.a", "terraform_data.b") + removedBlock("terraform_data.b", "false"),
	},
	"error/moved_still_declared": {
		Before: td("a", `"x"`),
		After:  td("a", `"x"`) + td("b", `"x"`) + movedBlock("terraform_data.a", "terraform_data.b"),
	},
	"error/moved_cycle": {
		Before: td("a", `"x"`),
		After:  movedBlock("terraform_data.a", "terraform_data.b") + movedBlock("terraform_data.b", "terraform_data.a"),
	},
	"error/moved_ambiguous": {
		Before: td("a", `"x"`),
		After:  td("b", `"x"`) + movedBlock("terraform_data.a", "terraform_data.b") + movedBlock("terraform_data.a", "terraform_data.c"),
	},
	"error/moved_two_sources": {
		Before: td("a", `"x"`) + td("c", `"x"`),
		After:  td("b", `"x"`) + movedBlock("terraform_data.a", "terraform_data.b") + movedBlock("terraform_data.c", "terraform_data.b"),
	},
	"error/moved_redundant": {
		Before: td("a", `"x"`),
		After:  td("a", `"x"`) + movedBlock("terraform_data.a", "terraform_data.a"),
	},
	"error/moved_resource_to_module": {
		Before: td("a", `"x"`),
		After:  movedBlock("terraform_data.a", "module.m"),
	},
	"error/moved_not_a_reference": {
		Before: td("a", `"x"`),
		After:  td("b", `"x"`) + "moved {\n  from = terraform_data.a\n  to   = \"terraform_data.b\"\n}\n",
	},
	"error/removed_still_declared": {
		Before: td("a", `"x"`),
		After:  td("a", `"x"`) + removedBlock("terraform_data.a", "false"),
	},
	"error/removed_instance": {
		Before: td("a", `"x"`, "count = 1"),
		After:  removedBlock("terraform_data.a[0]", "false"),
	},
	"error/removed_module_instance": {
		Files:  childModule,
		Before: "module \"m\" {\n  source = \"./m\"\n  count  = 1\n}\n",
		After:  removedBlock("module.m[0]", "false"),
	},
	"error/removed_data": {
		Before: td("a", `"x"`),
		After:  removedBlock("data.terraform_remote_state.a", "false"),
	},
	"error/removed_module_still_declared": {
		Files:  childModule,
		Before: "module \"m\" {\n  source = \"./m\"\n}\n",
		After:  "module \"m\" {\n  source = \"./m\"\n}\n" + removedBlock("module.m", "false"),
	},
}

// StepCases lists the two-step cases, sorted by name.
func StepCases() []StepCase {
	out := make([]StepCase, 0, len(stepCases))
	for name, c := range stepCases {
		c.Name = name
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
