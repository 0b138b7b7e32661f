package main

import (
	"context"
	"flag"
	"time"

	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/template"
)

// preview: an offline plan, written nowhere.
func init() {
	register(&command{
		name:    "preview",
		summary: "Plan a template offline, against an empty state or a stored stack's (-stack)",
		help: `Prints what deploying the template would do, as terraform plan does; with
-json, the plan in Terraform's JSON plan format (terraform show -json), for
policy tools such as OPA or conftest. Nothing is written anywhere. Without
-stack the plan is made against an empty state and a fresh in-memory
simulated cloud: no database is opened, or created. With -stack it is made
against the stored stack's resources, read afresh from the simulated
cloud in the database, as plan create would, without storing a plan.`,
		setup: previewCommand,
	})
}

func previewCommand(fs *flag.FlagSet) action {
	var (
		tmpl  templateFlags
		stack string
	)
	tmpl.register(fs)
	fs.StringVar(&stack, "stack", "", "plan against the stored state of the stack `NAME` instead of an empty state")
	return func(ctx context.Context, inv *invocation) error {
		p, cfg, err := inv.planTemplate(ctx, &tmpl, stack)
		if err != nil {
			return err
		}
		if inv.out.json {
			doc, err := terraformPlanJSON(p, cfg, time.Now())
			if err != nil {
				return err
			}
			return inv.out.printJSON(doc)
		}
		return inv.writePlanText(p)
	}
}

// planTemplate loads the template of tmpl and plans it as preview does:
// against the state of stack, or against nothing when stack is "".
func (inv *invocation) planTemplate(ctx context.Context, tmpl *templateFlags, stack string) (*plan.Plan, *template.Config, error) {
	if stack != "" {
		if err := stackArg.check(stack); err != nil {
			return nil, nil, err
		}
	}
	in, cfg, err := tmpl.load(ctx, &inv.g)
	if err != nil {
		return nil, nil, err
	}
	p, err := inv.previewPlan(ctx, stack, in)
	return p, cfg, err
}

// previewPlan plans in against the stored stack's state, or against
// nothing (no database) when stack is "". Nothing is written.
func (inv *invocation) previewPlan(ctx context.Context, stack string, in engine.TemplateInput) (*plan.Plan, error) {
	if stack == "" {
		return previewOffline(ctx, &inv.g, in)
	}
	e, err := inv.engine()
	if err != nil {
		return nil, err
	}
	return e.PreviewStack(ctx, engine.PreviewStackRequest{StackRef: engine.StackRef{Name: stack}, TemplateInput: in})
}

// previewOffline plans against nothing, with a simulated cloud that lives
// in memory for the call: no database.
func previewOffline(ctx context.Context, g *globals, in engine.TemplateInput) (*plan.Plan, error) {
	clock := g.clock()
	cfg, err := g.simConfig(clock, nil)
	if err != nil {
		return nil, err
	}
	p, err := sim.New(cfg)
	if err != nil {
		return nil, err
	}
	return engine.Preview(ctx, engine.PreviewRequest{TemplateInput: in, DefaultProvider: p, TemplateLimits: g.templateLimits(), Clock: clock})
}
