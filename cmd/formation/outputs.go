package main

import (
	"context"
	"flag"

	"github.com/formation-engine/formation/engine"
)

// outputs: a stack's outputs (RFS ListStackOutputs), every page.
func init() {
	register(&command{
		name:    "outputs",
		args:    []arg{stackArg},
		summary: "List a stack's outputs",
		help: `Prints the outputs of the stack's last successful deployment; none while
the stack is busy. A sensitive output's value and type read <sensitive>.
With -json, one document {"outputs": […], "page_info": …}.`,
		setup: outputsCommand,
	})
}

func outputsCommand(*flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		ref := engine.StackRef{Name: inv.args[0]}
		all, err := stackOutputs(ctx, e, ref)
		if err != nil {
			return err
		}
		if inv.out.json {
			return inv.out.printJSON(engine.OutputPage{Outputs: all, PageInfo: engine.PageInfo{CurrentCount: len(all)}})
		}
		rows := make([][]string, len(all))
		for i, o := range all {
			rows[i] = []string{o.Name, o.Type, o.Value, o.Description}
		}
		return inv.out.table([]string{"NAME", "TYPE", "VALUE", "DESCRIPTION"}, rows)
	}
}
