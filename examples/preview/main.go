// Command preview plans templates without deploying anything: the offline
// plan preview a reviewer reads before a change goes out. It prints
//
//  1. the plan of a template with its variables, planned against nothing —
//     no engine, no store, no credentials, no network — as text (like
//     terraform plan) and as JSON for machines;
//  2. the plan of a changed template against a stack that is already
//     deployed (an in-memory one here), showing an in-place update and a
//     replacement, as text and as RFS execution-plan items.
//
// Run it with:
//
//	go run ./examples/preview
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// network is a VPC and a subnet in the region's first availability zone,
// looked up with a data source.
const network = `
variable "env" {
  type = string
}

variable "subnet_index" {
  type    = number
  default = 1
}

data "huaweicloud_availability_zones" "zones" {}

resource "huaweicloud_vpc" "vpc" {
  name = "${var.env}-vpc"
  cidr = "10.0.0.0/16"
  tags = { env = var.env }
}

resource "huaweicloud_vpc_subnet" "subnet" {
  name              = "${var.env}-subnet"
  vpc_id            = huaweicloud_vpc.vpc.id
  cidr              = cidrsubnet(huaweicloud_vpc.vpc.cidr, 8, var.subnet_index)
  gateway_ip        = cidrhost(cidrsubnet(huaweicloud_vpc.vpc.cidr, 8, var.subnet_index), 1)
  availability_zone = data.huaweicloud_availability_zones.zones.names[0]
}
`

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) error {
	// The simulated provider stands in for Huawei Cloud. With the catalog it
	// knows the types' schemas — which attributes are computed ("known after
	// apply"), which force a replacement — and answers the availability
	// zones lookup. Planning only reads through it; it creates nothing.
	cloud, err := sim.New(sim.Config{Seed: 1, UseCatalog: true})
	if err != nil {
		return err
	}

	// 1. Offline: a template and its variables (tfvars text) in, a plan out.
	p, err := engine.Preview(ctx, engine.PreviewRequest{
		TemplateInput: engine.TemplateInput{
			TemplateBody: network,
			VarsBody:     `env = "prod"`,
		},
		DefaultProvider: cloud,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "=== plan (text) ===")
	if err := p.WriteText(w); err != nil {
		return err
	}
	raw, err := json.Marshal(p) // *plan.Plan implements json.Marshaler
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n=== plan (JSON) ===")
	fmt.Fprintln(w, pretty.String())

	// 2. Against a deployed stack: deploy the template once, then preview a
	// change of its variables. PreviewStack plans as CreateExecutionPlan
	// would (refreshing the stack's resources first) but stores nothing.
	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud, IDSeed: 1})
	if err != nil {
		return err
	}
	defer e.Close()
	ref := engine.StackRef{Name: "network"}
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{
		Name:          ref.Name,
		TemplateInput: engine.TemplateInput{TemplateBody: network, VarsBody: `env = "prod"`},
	})
	if err != nil {
		return err
	}
	if res, err := e.Wait(ctx, created.DeploymentRef); err != nil {
		return err
	} else if !res.Succeeded() {
		return fmt.Errorf("deployment ended %s: %s", res.Status, res.Message)
	}

	// A new env renames the VPC and changes its tags, in place; a new
	// subnet_index moves the subnet to another cidr, which is force-new, so
	// the subnet is replaced. Variables can also come as RFS's
	// vars_structure: strings converted to the declared types.
	changed, err := e.PreviewStack(ctx, engine.PreviewStackRequest{StackRef: ref, TemplateInput: engine.TemplateInput{
		TemplateBody: network,
		VarsStructure: []formation.VarsStructure{
			{VarKey: "env", VarValue: "production"},
			{VarKey: "subnet_index", VarValue: "2"},
		},
	}})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n=== plan against the deployed stack (text) ===")
	if err := changed.WriteText(w); err != nil {
		return err
	}
	// Items are the plan as RFS's GetExecutionPlan returns it.
	fmt.Fprintln(w, "\n=== the same plan as RFS execution-plan items ===")
	for _, it := range changed.Items() {
		var attrs []string
		for _, a := range it.Attributes {
			if a.PreviousValue != a.TargetValue {
				attrs = append(attrs, fmt.Sprintf("%s: %q -> %q", a.Name, a.PreviousValue, a.TargetValue))
			}
		}
		line := fmt.Sprintf("%-8s %s.%s %s", it.Mode, it.ResourceType, it.ResourceName, it.Action)
		if it.ActionReason != "" {
			line += " (" + it.ActionReason + ")"
		}
		fmt.Fprintln(w, line)
		for _, a := range attrs {
			fmt.Fprintln(w, "    "+a)
		}
	}
	fmt.Fprintf(w, "summary: %+v\n", changed.Summary)
	return nil
}
