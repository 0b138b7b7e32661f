// Command quickstart is Formation's main job in one program: deploy a small
// network — a VPC, two subnets, a security group and a rule — into a stack
// kept in an embedded bbolt file, with a simulated cloud standing in for
// Huawei Cloud, and print what RFS would show: the stack events as they
// happen, then the stack's resources and outputs.
//
// Run it with:
//
//	go run ./examples/quickstart
//
// Everything is written to a temporary directory that is removed at the end.
// The simulated provider and the engine are seeded, so the ids (and so the
// whole output) are the same on every run.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// network is the template (network.tf, also used by the README's CLI
// tour): Terraform-language HCL, as RFS takes it. The subnets depend on the
// VPC through vpc_id and the rule on the security group, so the engine
// creates them in that order.
//
//go:embed network.tf
var network string

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer) error {
	dir, err := os.MkdirTemp("", "formation-quickstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// The store: one bbolt file. A second process opening it while this one
	// has it gets an ErrUnavailable error.
	st, err := store.OpenBolt(filepath.Join(dir, "formation.db"), store.BoltOptions{})
	if err != nil {
		return err
	}
	// The cloud: a simulated provider that declares this template's
	// resource types as the huaweicloud provider does (UseCatalog), so
	// arguments are checked and computed attributes get realistic values.
	// Seed decides every id it makes.
	cloud, err := sim.New(sim.Config{Seed: 1, UseCatalog: true})
	if err != nil {
		_ = st.Close()
		return err
	}
	// The engine owns the store from here on: Close closes it. With
	// DefaultProvider set, the simulated provider serves every provider name
	// ("huaweicloud" here); IDSeed makes stack and deployment ids
	// reproducible.
	e, err := engine.New(engine.Config{Store: st, DefaultProvider: cloud, IDSeed: 1})
	if err != nil {
		return err
	}
	defer e.Close()

	// Create the stack and deploy the template in one call, as RFS's
	// CreateStack with a template_body does. It returns at once: the
	// deployment runs in the background. Parallelism 1 applies one resource
	// at a time, so the events below come in the same order on every run.
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{
		Name:               "network",
		Description:        "a VPC with two subnets and a web security group",
		EnableAutoRollback: true,
		TemplateInput: engine.TemplateInput{
			TemplateBody:  network,
			VarsStructure: []formation.VarsStructure{{VarKey: "name", VarValue: "quickstart"}},
		},
		Options: engine.DeployOptions{Parallelism: 1},
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "stack id:     ", created.StackID)
	fmt.Fprintln(w, "deployment id:", created.DeploymentID)

	// Follow streams the deployment's events, oldest first, from its very
	// first one; the stream ends once the deployment is over.
	ref := engine.StackRef{Name: "network", ID: created.StackID}
	events, err := e.Follow(ctx, engine.FollowRequest{StackRef: ref, DeploymentID: created.DeploymentID})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nevents:")
	for ev := range events.Events {
		fmt.Fprintf(w, "  %3d %-20s %s\n", ev.Sequence, ev.EventType, ev.EventMessage)
	}

	// Wait returns how the deployment ended (it has, since the stream closed).
	res, err := e.Wait(ctx, created.DeploymentRef)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nresult:", res.Status)
	if !res.Succeeded() {
		return fmt.Errorf("deployment %s ended %s: %s", res.DeploymentID, res.Status, res.Message)
	}

	resources, err := e.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: ref})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nresources:")
	for _, r := range resources.StackResources {
		addr := r.LogicalResourceType + "." + r.LogicalResourceName
		if r.IndexKey != "" {
			addr += "[" + r.IndexKey + "]"
		}
		line := fmt.Sprintf("  %-44s %-18s %s", addr, r.ResourceStatus, r.PhysicalResourceID)
		if r.PhysicalResourceName != "" {
			line += "  " + r.PhysicalResourceName
		}
		fmt.Fprintln(w, line)
	}

	outputs, err := e.ListStackOutputs(ctx, engine.ListStackOutputsRequest{StackRef: ref})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\noutputs:")
	for _, o := range outputs.Outputs {
		fmt.Fprintf(w, "  %s (%s) = %s\n", o.Name, o.Type, o.Value)
	}
	return nil
}
