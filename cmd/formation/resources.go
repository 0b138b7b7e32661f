package main

import (
	"context"
	"flag"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// resources: a stack's resources as Formation recorded them (RFS
// ListStackResources), every page.
func init() {
	register(&command{
		name:    "resources",
		args:    []arg{stackArg},
		summary: "List a stack's resources",
		help: `Prints the stack's resources by address: status, physical id and name.
With -json, one document {"stack_resources": […], "page_info": …} holding
them all, with their attributes while the stack is not busy. Compare with
'formation sim list', what exists in the simulated cloud.`,
		setup: resourcesCommand,
	})
}

func resourcesCommand(*flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		ref := engine.StackRef{Name: inv.args[0]}
		all, err := stackResources(ctx, e, ref)
		if err != nil {
			return err
		}
		if inv.out.json {
			return inv.out.printJSON(engine.ResourcePage{StackResources: all, PageInfo: engine.PageInfo{CurrentCount: len(all)}})
		}
		rows := make([][]string, len(all))
		for i, r := range all {
			addr := resourceAddr(formation.Event{ResourceType: r.LogicalResourceType, ResourceName: r.LogicalResourceName, ResourceKey: r.IndexKey, ModuleAddress: r.ModuleAddress})
			rows[i] = []string{addr, inv.out.status(string(r.ResourceStatus)), r.PhysicalResourceID, r.PhysicalResourceName, r.StatusMessage}
		}
		return inv.out.table([]string{"ADDRESS", inv.out.header("STATUS"), "ID", "NAME", "MESSAGE"}, rows)
	}
}

// stackResources lists every resource of a stack, following the pages.
func stackResources(ctx context.Context, e backend, ref engine.StackRef) ([]formation.StackResource, error) {
	return allPages(func(opts engine.ListOptions) ([]formation.StackResource, string, error) {
		page, err := e.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: ref, ListOptions: opts})
		return page.StackResources, page.PageInfo.NextMarker, err
	})
}
