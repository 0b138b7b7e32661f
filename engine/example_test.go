package engine_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// network is the examples' template: a VPC and a subnet in it.
const network = `
variable "env" {
  type    = string
  default = "dev"
}

resource "huaweicloud_vpc" "vpc" {
  name = "${var.env}-vpc"
  cidr = "10.0.0.0/16"
}

resource "huaweicloud_vpc_subnet" "subnet" {
  name       = "${var.env}-subnet"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
}

output "vpc_id" {
  value = huaweicloud_vpc.vpc.id
}
`

// newEngine is what simulations start from: an engine over an in-memory
// store whose every provider is one simulated cloud (with the catalog of
// Huawei Cloud types), all seeded so that ids are reproducible.
func newEngine(faults ...sim.Fault) *engine.Engine {
	cloud, err := sim.New(sim.Config{Seed: 1, UseCatalog: true, Faults: faults})
	if err != nil {
		log.Fatal(err)
	}
	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud, IDSeed: 1})
	if err != nil {
		log.Fatal(err)
	}
	return e
}

// The whole path: create a stack with a template (which deploys it), wait
// for the deployment, and read what it made.
func Example() {
	ctx := context.Background()
	e := newEngine()
	defer e.Close()

	created, err := e.CreateStack(ctx, engine.CreateStackRequest{
		Name:          "network",
		TemplateInput: engine.TemplateInput{TemplateBody: network, VarsBody: `env = "prod"`},
	})
	if err != nil {
		log.Fatal(err)
	}
	res, err := e.Wait(ctx, created.DeploymentRef) // deployments run in the background
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, res.Succeeded())

	ref := engine.StackRef{Name: "network"}
	resources, err := e.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: ref})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range resources.StackResources {
		fmt.Println(r.LogicalResourceType, r.LogicalResourceName, r.ResourceStatus, r.PhysicalResourceName)
	}
	outputs, err := e.ListStackOutputs(ctx, engine.ListStackOutputsRequest{StackRef: ref})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("vpc_id output is the VPC's id:", outputs.Outputs[0].Value == resources.StackResources[0].PhysicalResourceID)
	// Output:
	// DEPLOYMENT_COMPLETE true
	// huaweicloud_vpc vpc CREATION_COMPLETE prod-vpc
	// huaweicloud_vpc_subnet subnet CREATION_COMPLETE prod-subnet
	// vpc_id output is the VPC's id: true
}

// Open keeps everything in one bbolt file: a stack outlives the engine that
// made it.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "formation-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "formation.db")

	// Open takes the same Config as New, less the Store: here the simulated
	// cloud serves every provider.
	cloud, err := sim.New(sim.Config{Seed: 1, UseCatalog: true})
	if err != nil {
		log.Fatal(err)
	}
	e, err := engine.Open(path, engine.Config{DefaultProvider: cloud})
	if err != nil {
		log.Fatal(err)
	}
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "network", Description: "VPCs",
		TemplateInput: engine.TemplateInput{TemplateBody: network}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := e.Wait(ctx, created.DeploymentRef); err != nil {
		log.Fatal(err)
	}
	if err := e.Close(); err != nil {
		log.Fatal(err)
	}

	e, err = engine.Open(path, engine.Config{DefaultProvider: cloud}) // a second process would get ErrUnavailable while the first has it open
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	stack, err := e.GetStackMetadata(ctx, engine.StackRef{Name: "network"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(stack.Name, stack.Status, stack.Description)
	// Output:
	// network DEPLOYMENT_COMPLETE VPCs
}

// DeployStack deploys a template to an existing stack; the result of the
// deployment comes from Wait. Every deployment carries the full template:
// resources it no longer has are deleted.
func ExampleEngine_DeployStack() {
	ctx := context.Background()
	e := newEngine()
	defer e.Close()
	ref := engine.StackRef{Name: "network"}
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: ref.Name}); err != nil {
		log.Fatal(err)
	}

	for _, env := range []string{"dev", "test"} { // the second deployment renames both
		dep, err := e.DeployStack(ctx, engine.DeployStackRequest{
			StackRef: ref,
			TemplateInput: engine.TemplateInput{
				TemplateBody:  network,
				VarsStructure: []formation.VarsStructure{{VarKey: "env", VarValue: env}},
			},
		})
		if err != nil {
			log.Fatal(err)
		}
		res, err := e.Wait(ctx, dep)
		if err != nil {
			log.Fatal(err)
		}
		summary, err := e.ListStackEvents(ctx, engine.ListStackEventsRequest{StackRef: ref, DeploymentID: dep.DeploymentID, Filter: "event_type==SUMMARY"})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(res.Status, summary.StackEvents[0].EventMessage)
	}

	// A bad template is refused before anything changes.
	_, err := e.DeployStack(ctx, engine.DeployStackRequest{StackRef: ref, TemplateInput: engine.TemplateInput{TemplateBody: `resource "huaweicloud_vpc" {`}})
	fmt.Println(formation.CodeOf(err), formation.CodeOf(err).HTTPStatus())
	// Output:
	// DEPLOYMENT_COMPLETE Apply complete! Resources: 2 added, 0 changed, 0 destroyed.
	// DEPLOYMENT_COMPLETE Apply complete! Resources: 0 added, 2 changed, 0 destroyed.
	// RF.10011030 400
}

// ListStackEvents takes RFS's filter syntax (',' is AND, '|' is OR) and
// field list, and lists newest first. Here a deployment fails on the
// subnet, and the stack, without auto-rollback, is DEPLOYMENT_FAILED.
func ExampleEngine_ListStackEvents() {
	ctx := context.Background()
	e := newEngine(sim.Fault{
		Match:   sim.Match{Op: sim.OpCreate, Type: "huaweicloud_vpc_subnet"},
		Message: "Quota exceeded for resources: subnet",
	})
	defer e.Close()
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "network", TemplateInput: engine.TemplateInput{TemplateBody: network}})
	if err != nil {
		log.Fatal(err)
	}
	res, err := e.Wait(ctx, created.DeploymentRef)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status)

	ref := engine.StackRef{Name: "network"}
	for _, filter := range []string{
		"event_type==ERROR",
		"event_type==CREATION_COMPLETE|event_type==CREATION_FAILED,resource_type==huaweicloud_vpc_subnet",
	} {
		page, err := e.ListStackEvents(ctx, engine.ListStackEventsRequest{StackRef: ref, Filter: filter, Field: "event_message"})
		if err != nil {
			log.Fatal(err)
		}
		for _, ev := range page.StackEvents {
			fmt.Println(ev.EventType, ev.EventMessage)
		}
	}

	// A malformed filter is an RFS 400.
	_, err = e.ListStackEvents(ctx, engine.ListStackEventsRequest{StackRef: ref, Filter: "event_type=ERROR"})
	fmt.Println(formation.CodeOf(err))
	// Output:
	// DEPLOYMENT_FAILED
	// ERROR huaweicloud_vpc_subnet.subnet: Quota exceeded for resources: subnet
	// CREATION_FAILED huaweicloud_vpc_subnet.subnet: Creation failed after 0s
	// RF.10011070
}

// Follow streams a deployment's events as they are committed, from its
// first; the channel closes when the deployment is over.
func ExampleEngine_Follow() {
	ctx := context.Background()
	e := newEngine()
	defer e.Close()
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "network", TemplateInput: engine.TemplateInput{TemplateBody: network}})
	if err != nil {
		log.Fatal(err)
	}
	events, err := e.Follow(ctx, engine.FollowRequest{StackRef: engine.StackRef{Name: "network"}, DeploymentID: created.DeploymentID})
	if err != nil {
		log.Fatal(err)
	}
	for ev := range events.Events {
		fmt.Println(ev.Sequence, ev.EventType)
	}
	fmt.Println(events.End())
	// Output:
	// 1 LOG
	// 2 CREATION_IN_PROGRESS
	// 3 CREATION_COMPLETE
	// 4 CREATION_IN_PROGRESS
	// 5 CREATION_COMPLETE
	// 6 SUMMARY
	// 7 LOG
	// DEPLOYMENT_FINISHED
}

// Preview plans a template offline: no engine, no store, no credentials.
// The simulated provider supplies the types' schemas, so computed
// attributes show as (known after apply).
func ExamplePreview() {
	cloud, err := sim.New(sim.Config{UseCatalog: true})
	if err != nil {
		log.Fatal(err)
	}
	p, err := engine.Preview(context.Background(), engine.PreviewRequest{
		TemplateInput: engine.TemplateInput{TemplateBody: `
resource "huaweicloud_vpc" "vpc" {
  name = "preview-vpc"
  cidr = "10.0.0.0/16"
}`},
		DefaultProvider: cloud,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := p.WriteText(os.Stdout); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("summary: %+v\n", p.Summary)
	// Output:
	// Resource actions are indicated with the following symbols:
	//   + create
	//
	// Formation will perform the following actions:
	//
	//   # huaweicloud_vpc.vpc will be created
	//   + resource "huaweicloud_vpc" "vpc" {
	//       + cidr                  = "10.0.0.0/16"
	//       + enhanced_local_route  = (known after apply)
	//       + enterprise_project_id = (known after apply)
	//       + id                    = (known after apply)
	//       + name                  = "preview-vpc"
	//       + region                = (known after apply)
	//       + routes                = (known after apply)
	//       + secondary_cidrs       = (known after apply)
	//       + status                = (known after apply)
	//       + tags                  = (known after apply)
	//     }
	//
	// Plan: 1 to add, 0 to change, 0 to destroy.
	// summary: {ResourceAdd:1 ResourceUpdate:0 ResourceDelete:0 ResourceImport:0}
}

// An execution plan is a reviewed deployment: create it, wait until it is
// AVAILABLE, read its items, then apply exactly that.
func ExampleEngine_CreateExecutionPlan() {
	ctx := context.Background()
	e := newEngine()
	defer e.Close()
	stack := engine.StackRef{Name: "network"}
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: stack.Name}); err != nil {
		log.Fatal(err)
	}
	_, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{
		StackRef:      stack,
		PlanName:      "add-network",
		TemplateInput: engine.TemplateInput{TemplateBody: network},
	})
	if err != nil {
		log.Fatal(err)
	}
	ref := engine.PlanRef{StackRef: stack, PlanName: "add-network"}
	meta, err := e.WaitExecutionPlan(ctx, ref)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(meta.Status, "to add:", meta.Summary.ResourceAdd)
	items, err := e.GetExecutionPlan(ctx, ref)
	if err != nil {
		log.Fatal(err)
	}
	for _, it := range items.Items {
		fmt.Println(it.Action, it.ResourceType, it.ResourceName)
	}

	dep, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref})
	if err != nil {
		log.Fatal(err)
	}
	res, err := e.Wait(ctx, dep)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status)
	// A plan applies once.
	_, err = e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref})
	fmt.Println(formation.CodeOf(err))
	// Output:
	// AVAILABLE to add: 2
	// ADD huaweicloud_vpc vpc
	// ADD huaweicloud_vpc_subnet subnet
	// DEPLOYMENT_COMPLETE
	// RF.10012530
}
