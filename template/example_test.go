package template_test

import (
	"context"
	"fmt"

	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// The simplest path: parse, expand with variables, evaluate every instance
// in dependency order, feeding each result back as what is known.
func Example() {
	tpl, err := template.Parse(`
variable "vpc_count" {
  type    = number
  default = 1
}

resource "huaweicloud_vpc" "vpc" {
  count = var.vpc_count
  name  = "vpc-${count.index}"
  cidr  = cidrsubnet("10.0.0.0/8", 8, count.index)
}

resource "huaweicloud_vpc_subnet" "subnet" {
  count  = var.vpc_count
  vpc_id = huaweicloud_vpc.vpc[count.index].id
  name   = "${huaweicloud_vpc.vpc[count.index].name}-subnet"
}
`, template.Options{})
	if err != nil {
		panic(err)
	}
	cfg, err := tpl.Expand(context.Background(), template.Input{
		VarsStructure: nil,
		VarsBody:      `vpc_count = 2`,
	})
	if err != nil {
		panic(err)
	}
	known := map[string]cty.Value{}
	values := template.ValuesFunc(func(addr string) cty.Value { return known[addr] })
	for _, addr := range cfg.Graph().TopologicalOrder() {
		inst := cfg.Instance(addr)
		obj, diags := cfg.Evaluate(inst, values)
		if diags.HasErrors() {
			panic(diags)
		}
		// A planner would add the provider's computed attributes as unknown.
		attrs := obj.AsValueMap()
		attrs["id"] = cty.UnknownVal(cty.String)
		known[addr] = cty.ObjectVal(attrs)
		fmt.Printf("%s depends on %v: name=%s\n", addr, inst.DependsOn, obj.GetAttr("name").AsString())
	}
	// Output:
	// huaweicloud_vpc.vpc[0] depends on []: name=vpc-0
	// huaweicloud_vpc.vpc[1] depends on []: name=vpc-1
	// huaweicloud_vpc_subnet.subnet[0] depends on [huaweicloud_vpc.vpc[0]]: name=vpc-0-subnet
	// huaweicloud_vpc_subnet.subnet[1] depends on [huaweicloud_vpc.vpc[1]]: name=vpc-1-subnet
}
