package plan_test

import (
	"context"
	"fmt"
	"os"

	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/template"
)

// The simplest path: expand a template, plan it against a stack's state
// (empty here) and render the plan.
func Example() {
	ctx := context.Background()
	tpl, err := template.Parse(`
resource "huaweicloud_vpc" "vpc" {
  count = 2
  name  = "vpc-${count.index}"
  cidr  = "10.${count.index}.0.0/16"
}
`, template.Options{})
	if err != nil {
		panic(err)
	}
	cfg, err := tpl.Expand(ctx, template.Input{})
	if err != nil {
		panic(err)
	}
	cloud, err := sim.New(sim.Config{UseCatalog: true})
	if err != nil {
		panic(err)
	}
	var providers provider.Registry
	providers.Register("huaweicloud", cloud)

	p, err := plan.Make(ctx, cfg, plan.State{}, &providers, plan.Options{})
	if err != nil {
		panic(err)
	}
	if err := p.WriteText(os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// Resource actions are indicated with the following symbols:
	//   + create
	//
	// Formation will perform the following actions:
	//
	//   # huaweicloud_vpc.vpc[0] will be created
	//   + resource "huaweicloud_vpc" "vpc" {
	//       + cidr                  = "10.0.0.0/16"
	//       + enhanced_local_route  = (known after apply)
	//       + enterprise_project_id = (known after apply)
	//       + id                    = (known after apply)
	//       + name                  = "vpc-0"
	//       + region                = (known after apply)
	//       + routes                = (known after apply)
	//       + secondary_cidrs       = (known after apply)
	//       + status                = (known after apply)
	//       + tags                  = (known after apply)
	//     }
	//
	//   # huaweicloud_vpc.vpc[1] will be created
	//   + resource "huaweicloud_vpc" "vpc" {
	//       + cidr                  = "10.1.0.0/16"
	//       + enhanced_local_route  = (known after apply)
	//       + enterprise_project_id = (known after apply)
	//       + id                    = (known after apply)
	//       + name                  = "vpc-1"
	//       + region                = (known after apply)
	//       + routes                = (known after apply)
	//       + secondary_cidrs       = (known after apply)
	//       + status                = (known after apply)
	//       + tags                  = (known after apply)
	//     }
	//
	// Plan: 2 to add, 0 to change, 0 to destroy.
}

// Items gives the plan in RFS's GetExecutionPlan shape, Summary its counts.
func ExamplePlan_Items() {
	ctx := context.Background()
	tpl, _ := template.Parse(`
resource "huaweicloud_vpc" "my_hello_world_vpc" {
  for_each = { vpc1 = "test_vpc", vpc2 = "test_vpc" }
  name     = each.value
}
`, template.Options{})
	cfg, _ := tpl.Expand(ctx, template.Input{})
	cloud, _ := sim.New(sim.Config{}) // schema-less: every attribute as configured, "id" computed
	var providers provider.Registry
	providers.Register("huaweicloud", cloud)

	p, _ := plan.Make(ctx, cfg, nil, &providers, plan.Options{})
	for _, it := range p.Items() {
		fmt.Println(it.ResourceName, it.Index, it.Action, it.ActionReason)
		for _, a := range it.Attributes {
			fmt.Printf("  %s: %q -> %q\n", a.Name, a.PreviousValue, a.TargetValue)
		}
	}
	fmt.Printf("%+v\n", p.Summary)
	// Output:
	// my_hello_world_vpc vpc1 ADD new resource in the template
	//   id: "" -> "(known after apply)"
	//   name: "" -> "test_vpc"
	// my_hello_world_vpc vpc2 ADD new resource in the template
	//   id: "" -> "(known after apply)"
	//   name: "" -> "test_vpc"
	// {ResourceAdd:2 ResourceUpdate:0 ResourceDelete:0 ResourceImport:0}
}
