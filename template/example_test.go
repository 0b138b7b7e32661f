package template_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
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
		obj, diags := cfg.Evaluate(context.Background(), inst, values)
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

// Variables lists the declarations as RFS's ParseTemplateVariables does.
func ExampleTemplate_Variables() {
	tpl, err := template.Parse(`
variable "vpc_name" {
  type        = string
  description = "name of the VPC"
  default     = "test_vpc"
  validation {
    condition     = length(var.vpc_name) > 0
    error_message = "The name must not be empty."
  }
}
variable "subnets" {
  type = list(object({ cidr = string, zone = optional(string) }))
}
`, template.Options{})
	if err != nil {
		panic(err)
	}
	for _, v := range tpl.Variables() {
		b, _ := json.Marshal(v)
		fmt.Println(string(b))
	}
	// Output:
	// {"name":"vpc_name","type":"string","description":"name of the VPC","default":"test_vpc","sensitive":false,"nullable":true,"validations":[{"condition":"length(var.vpc_name) \u003e 0","error_message":"The name must not be empty."}]}
	// {"name":"subnets","type":"list(object({ cidr = string, zone = optional(string) }))","sensitive":false,"nullable":true}
}

// Graph orders instances for creation and destruction and renders the
// dependency graph.
func ExampleConfig_Graph() {
	tpl, err := template.Parse(`
resource "huaweicloud_vpc" "vpc" {}
resource "huaweicloud_vpc_subnet" "subnet" {
  for_each = toset(["a", "b"])
  vpc_id   = huaweicloud_vpc.vpc.id
}
resource "huaweicloud_compute_instance" "vm" {
  network_id = huaweicloud_vpc_subnet.subnet["a"].id
}
`, template.Options{})
	if err != nil {
		panic(err)
	}
	cfg, err := tpl.Expand(context.Background(), template.Input{})
	if err != nil {
		panic(err)
	}
	g := cfg.Graph()
	fmt.Println("create:", g.TopologicalOrder())
	fmt.Println("destroy:", g.ReverseOrder())
	fmt.Print(g.Mermaid())
	// Output:
	// create: [huaweicloud_vpc.vpc huaweicloud_vpc_subnet.subnet["a"] huaweicloud_compute_instance.vm huaweicloud_vpc_subnet.subnet["b"]]
	// destroy: [huaweicloud_compute_instance.vm huaweicloud_vpc_subnet.subnet["a"] huaweicloud_vpc_subnet.subnet["b"] huaweicloud_vpc.vpc]
	// flowchart RL
	//     n0["huaweicloud_compute_instance.vm"]
	//     n1["huaweicloud_vpc.vpc"]
	//     n2["huaweicloud_vpc_subnet.subnet[#quot;a#quot;]"]
	//     n3["huaweicloud_vpc_subnet.subnet[#quot;b#quot;]"]
	//     n0 --> n2
	//     n2 --> n1
	//     n3 --> n1
}

// Errors carry hcl diagnostics; WriteDiagnostics renders them with their
// source, and errors.As finds them.
func ExampleWriteDiagnostics() {
	_, err := template.Parse(`
resource "huaweicloud_vpc" "vpc" {
  name = file("name.txt")
}
`, template.Options{})
	fmt.Println(formation.CodeOf(err))
	var diags hcl.Diagnostics
	fmt.Println(errors.As(err, &diags), len(diags))
	template.WriteDiagnostics(os.Stdout, err)
	// Output:
	// RF.10011030
	// true 1
	// Error: Function not allowed
	//
	//   on main.tf line 3, in resource "huaweicloud_vpc" "vpc":
	//    3:   name = file("name.txt")
	//
	// The function "file" is not allowed: it reads a file. RFS forbids file-system functions, and Formation never reads the host's file system on a template's behalf.
}

// A template with a local module: ParseFS reads the module's directory
// from the same file set, and the instances inside carry the module
// instance in their addresses.
func ExampleParseFS_modules() {
	fsys := fstest.MapFS{
		"main.tf": {Data: []byte(`
module "net" {
  source   = "./modules/net"
  for_each = toset(["blue", "green"])
  name     = each.key
}
output "names" {
  value = { for k, m in module.net : k => m.vpc_name }
}
`)},
		"modules/net/main.tf": {Data: []byte(`
variable "name" {
  type = string
}
resource "huaweicloud_vpc" "vpc" {
  name = "vpc-${var.name}"
}
output "vpc_name" {
  value = huaweicloud_vpc.vpc.name
}
`)},
	}
	tpl, err := template.ParseFS(fsys, template.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := tpl.Expand(context.Background(), template.Input{})
	if err != nil {
		fmt.Println(err)
		return
	}
	known := map[string]cty.Value{}
	for _, addr := range cfg.Graph().TopologicalOrder() {
		inst := cfg.Instance(addr)
		obj, _ := cfg.Evaluate(context.Background(), inst, template.ValuesFunc(func(a string) cty.Value { return known[a] }))
		known[addr] = obj
		fmt.Printf("%s in %s: name = %s\n", addr, inst.Module, obj.GetAttr("name").AsString())
	}
	outs, _ := cfg.Outputs(context.Background(), template.ValuesFunc(func(a string) cty.Value { return known[a] }))
	fmt.Println("names:", outs[0].Value.GetAttr("green").AsString())
	// Output:
	// module.net["blue"].huaweicloud_vpc.vpc in module.net["blue"]: name = vpc-blue
	// module.net["green"].huaweicloud_vpc.vpc in module.net["green"]: name = vpc-green
	// names: vpc-green
}
