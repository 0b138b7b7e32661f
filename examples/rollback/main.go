// Command rollback shows automatic rollback: a stack deployed once (its
// last stable state) gets a second deployment that fails half-way, because
// the simulated cloud is told to refuse one resource. With auto-rollback on,
// the engine undoes what the failed deployment did — it deletes what it
// created and reverts what it changed — and the stack ends
// ROLLBACK_COMPLETE. The program prints the failed deployment's events as
// they happen, then asks for that deployment's ERROR events only, with RFS's
// filter syntax.
//
// Run it with:
//
//	go run ./examples/rollback
//
// The store is in memory and everything is seeded, so the output is the same
// on every run.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// v1 is the stable state: a VPC and a subnet.
const v1 = `
variable "env" {
  type = string
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
`

// v2 renames both (in-place updates) and adds a security group with a rule;
// the simulated cloud refuses the rule.
const v2 = v1 + `
resource "huaweicloud_networking_secgroup" "web" {
  name = "${var.env}-web"
}

resource "huaweicloud_networking_secgroup_rule" "https" {
  security_group_id = huaweicloud_networking_secgroup.web.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = "443"
  remote_ip_prefix  = "0.0.0.0/0"
}
`

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) error {
	// The fault: every create of the rule fails, permanently (not
	// Transient, so the engine does not retry), with the text a real
	// provider would return.
	cloud, err := sim.New(sim.Config{
		Seed:       7,
		UseCatalog: true,
		Faults: []sim.Fault{{
			Match:   sim.Match{Op: sim.OpCreate, Type: "huaweicloud_networking_secgroup_rule"},
			Message: "Quota exceeded for resources: security_group_rule",
		}},
	})
	if err != nil {
		return err
	}
	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud, IDSeed: 7})
	if err != nil {
		return err
	}
	defer e.Close()

	// Auto-rollback is a property of the stack (RFS: enable_auto_rollback).
	ref := engine.StackRef{Name: "web"}
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: ref.Name, EnableAutoRollback: true}); err != nil {
		return err
	}

	// Deployment 1 succeeds: this is the state a rollback returns to.
	first, err := deploy(ctx, e, ref, v1, "prod")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "deployment 1:", first.Status)

	// Deployment 2 fails on the rule. Follow it to watch the rollback.
	dep, err := e.DeployStack(ctx, engine.DeployStackRequest{
		StackRef:      ref,
		TemplateInput: engine.TemplateInput{TemplateBody: v2, VarsStructure: []formation.VarsStructure{{VarKey: "env", VarValue: "staging"}}},
		Options:       engine.DeployOptions{Parallelism: 1}, // one at a time: a stable order of events
	})
	if err != nil {
		return err
	}
	events, err := e.Follow(ctx, engine.FollowRequest{StackRef: ref, DeploymentID: dep.DeploymentID})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\ndeployment 2, as it happens:")
	for ev := range events.Events {
		fmt.Fprintf(w, "  %-20s %s\n", ev.EventType, ev.EventMessage)
	}
	second, err := e.Wait(ctx, dep)
	if err != nil {
		return err
	}
	// ROLLBACK_COMPLETE is not a success: the deployment failed, and the
	// rollback put the stack back where it was.
	fmt.Fprintf(w, "\ndeployment 2: %s (succeeded: %v)\n  why: %s\n", second.Status, second.Succeeded(), second.Message)
	if second.Status != formation.StackRollbackComplete {
		return fmt.Errorf("deployment 2 ended %s, want %s", second.Status, formation.StackRollbackComplete)
	}

	// The errors of that deployment only: RFS's filter syntax, newest first.
	page, err := e.ListStackEvents(ctx, engine.ListStackEventsRequest{
		StackRef:     ref,
		DeploymentID: dep.DeploymentID,
		Filter:       "event_type==ERROR",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nERROR events of deployment 2 (%d):\n", page.PageInfo.CurrentCount)
	for _, ev := range page.StackEvents {
		fmt.Fprintf(w, "  #%d %s resource_type=%s resource_name=%s\n      %s\n", ev.Sequence, ev.EventType, ev.ResourceType, ev.ResourceName, ev.EventMessage)
	}

	// What is left: deployment 1's resources, under their old names, and
	// nothing else in the (simulated) cloud.
	resources, err := e.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: ref})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nstack resources after the rollback:")
	for _, r := range resources.StackResources {
		fmt.Fprintf(w, "  %s.%s %s %s\n", r.LogicalResourceType, r.LogicalResourceName, r.ResourceStatus, r.PhysicalResourceName)
	}
	fmt.Fprintln(w, "in the simulated cloud:")
	for _, r := range cloud.Resources() {
		fmt.Fprintf(w, "  %s %s\n", r.Address, r.State.GetAttr("name").AsString())
	}
	tpl, err := e.GetStackTemplate(ctx, ref)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "the stack's template is deployment 1's again:", tpl.TemplateBody == v1)
	return nil
}

// deploy deploys body with env to the stack and waits for the outcome.
func deploy(ctx context.Context, e *engine.Engine, ref engine.StackRef, body, env string) (engine.Result, error) {
	dep, err := e.DeployStack(ctx, engine.DeployStackRequest{
		StackRef:      ref,
		TemplateInput: engine.TemplateInput{TemplateBody: body, VarsStructure: []formation.VarsStructure{{VarKey: "env", VarValue: env}}},
	})
	if err != nil {
		return engine.Result{}, err
	}
	res, err := e.Wait(ctx, dep)
	if err != nil {
		return engine.Result{}, err
	}
	if !res.Succeeded() {
		return res, fmt.Errorf("deployment %s ended %s: %s", dep, res.Status, res.Message)
	}
	return res, nil
}
