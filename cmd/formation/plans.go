package main

import (
	"context"
	"flag"
	"strconv"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// The plan group: execution plans (RFS CreateExecutionPlan,
// ListExecutionPlans, GetExecutionPlan + GetExecutionPlanMetadata,
// ApplyExecutionPlan, DeleteExecutionPlan).
func init() {
	register(&command{
		name:    "plan create",
		args:    []arg{stackArg, planArg},
		summary: "Create an execution plan of a template for a stack",
		help: `Plans the template against the stack's resources (read afresh through the
simulated provider) without changing them, waits until the plan is made
and prints it; with -json, the plan's metadata and its RFS items. A plan
that cannot be made ends CREATION_FAILED: its status message is printed
and the exit status is 1. PLAN follows the rule of stack names.`,
		setup: planCreate,
	})
	register(&command{
		name:    "plan list",
		args:    []arg{stackArg},
		summary: "List a stack's execution plans, newest first",
		setup:   planList,
	})
	register(&command{
		name:    "plan show",
		args:    []arg{stackArg, planArg},
		summary: "Show an execution plan and its changes",
		setup:   planShow,
	})
	register(&command{
		name:    "plan apply",
		args:    []arg{stackArg, planArg},
		summary: "Apply an execution plan and follow the deployment",
		help: `Deploys the plan's template and variables; output and exit status as for
deploy. A plan made before the stack's latest deployment, or applied
already, is expired (RF.10012530). On a terminal the plan is shown and
applied only if you answer yes, as deploy asks; -auto-approve skips the
question.`,
		setup: planApply,
	})
	register(&command{
		name:    "plan delete",
		args:    []arg{stackArg, planArg},
		summary: "Delete an execution plan",
		setup:   planDelete,
	})
}

// planRef is the plan the command's NAME and PLAN arguments name.
func planRef(inv *invocation) engine.PlanRef {
	return engine.PlanRef{StackRef: engine.StackRef{Name: inv.args[0]}, PlanName: inv.args[1]}
}

// planDocument is a plan as plan create and plan show print it with -json:
// its metadata and, flattened beside them, its RFS items.
type planDocument struct {
	formation.ExecutionPlan
	Items []formation.PlanItem `json:"execution_plan_items"`
}

func planCreate(fs *flag.FlagSet) action {
	var (
		tmpl        templateFlags
		description string
	)
	tmpl.register(fs)
	fs.StringVar(&description, "description", "", "the plan's `DESCRIPTION` (at most 1024 characters)")
	return func(ctx context.Context, inv *invocation) error {
		in, _, err := tmpl.load(ctx, &inv.g)
		if err != nil {
			return err
		}
		e, err := inv.engine()
		if err != nil {
			return err
		}
		ref := planRef(inv)
		if _, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: ref.StackRef, PlanName: ref.PlanName, Description: description, TemplateInput: in}); err != nil {
			return err
		}
		if _, err := e.WaitExecutionPlan(ctx, ref); err != nil {
			return err
		}
		return showPlan(ctx, inv, e, ref)
	}
}

// showPlan prints a plan: its metadata and its text (like terraform plan),
// or planDocument with -json. A plan that failed to be made returns
// exitStatus 1.
func showPlan(ctx context.Context, inv *invocation, e backend, ref engine.PlanRef) error {
	meta, err := e.GetExecutionPlanMetadata(ctx, ref)
	if err != nil {
		return err
	}
	items, err := e.GetExecutionPlan(ctx, ref)
	if err != nil {
		return err
	}
	if inv.out.json {
		err = printPlanJSON(ctx, inv, e, ref, planDocument{meta, items.Items})
	} else {
		err = printPlan(inv.out, meta, items.Text)
	}
	if err != nil {
		return err
	}
	if meta.Status == formation.PlanCreationFailed {
		return exitStatus(exitFailed)
	}
	return nil
}

// printPlanJSON prints a plan's RFS document merged into its rendering in
// Terraform's JSON plan format (planjson.go); a plan that has no changes
// to render (not made, or failed) prints its RFS document alone.
func printPlanJSON(ctx context.Context, inv *invocation, e backend, ref engine.PlanRef, rfs planDocument) error {
	switch rfs.Status {
	case formation.PlanCreationInProgress, formation.PlanCreationFailed:
		return inv.out.printJSON(rfs)
	}
	b, err := e.TerraformPlanJSON(ctx, ref, tool())
	if err != nil {
		return err
	}
	doc, err := jsonFields(b)
	if err != nil {
		return err
	}
	if doc, err = withFields(doc, rfs); err != nil {
		return err
	}
	return inv.out.printJSON(doc)
}

// printPlan writes a plan's metadata as "key: value" lines, then a blank
// line and its text.
func printPlan(out *output, p formation.ExecutionPlan, text string) error {
	fs := []field{
		{"execution_plan_name", p.Name},
		{"execution_plan_id", p.ID},
		{"stack_name", p.StackName},
		{"status", out.status(string(p.Status))},
	}
	if p.StatusMessage != "" {
		fs = append(fs, field{"status_message", withoutOps(p.StatusMessage)})
	}
	fs = append(fs, field{"description", p.Description})
	if s := p.Summary; s != nil {
		fs = append(fs, field{"summary", summaryText(*s)})
	}
	fs = append(fs, field{"create_time", p.CreateTime.String()})
	if !p.ApplyTime.IsZero() {
		fs = append(fs, field{"apply_time", p.ApplyTime.String()})
	}
	if err := out.fields(fs); err != nil {
		return err
	}
	if text == "" {
		return nil
	}
	return out.printf("\n%s", out.colourPlan(text))
}

// summaryText is a plan summary as one phrase: "2 to add, 1 to change, 0 to
// destroy" (and imports when there are any).
func summaryText(s formation.PlanSummary) string {
	var parts []string
	if s.ResourceImport > 0 {
		parts = append(parts, strconv.Itoa(s.ResourceImport)+" to import")
	}
	parts = append(parts, strconv.Itoa(s.ResourceAdd)+" to add", strconv.Itoa(s.ResourceUpdate)+" to change", strconv.Itoa(s.ResourceDelete)+" to destroy")
	return strings.Join(parts, ", ")
}

func planList(*flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		ref := engine.StackRef{Name: inv.args[0]}
		all, err := allPages(func(opts engine.ListOptions) ([]formation.ExecutionPlan, string, error) {
			page, err := e.ListExecutionPlans(ctx, engine.ListExecutionPlansRequest{StackRef: ref, ListOptions: opts})
			return page.ExecutionPlans, page.PageInfo.NextMarker, err
		})
		if err != nil {
			return err
		}
		if inv.out.json {
			return inv.out.printJSON(engine.PlanPage{ExecutionPlans: all, PageInfo: engine.PageInfo{CurrentCount: len(all)}})
		}
		rows := make([][]string, len(all))
		for i, p := range all {
			rows[i] = []string{p.Name, inv.out.status(string(p.Status)), p.CreateTime.String(), p.ApplyTime.String(), p.Description}
		}
		return inv.out.table([]string{"NAME", inv.out.header("STATUS"), "CREATED", "APPLIED", "DESCRIPTION"}, rows)
	}
}

func planShow(*flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		return showPlan(ctx, inv, e, planRef(inv))
	}
}

func planApply(fs *flag.FlagSet) action {
	var autoApprove bool
	fs.BoolVar(&autoApprove, "auto-approve", false, "on a terminal, apply without showing the plan and asking first")
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		ref := planRef(inv)
		total, err := inv.approvePlan(ctx, e, ref, autoApprove)
		if err != nil {
			return err
		}
		id, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref})
		if err != nil {
			return err
		}
		what := "Applying execution plan " + ref.PlanName + " to stack " + ref.Name
		return follow(ctx, inv, e, started{what: what, stack: ref.Name, deploymentID: id.DeploymentID, total: total})
	}
}

// planDeleted is plan delete's -json output (RFS answers 204, no body).
type planDeleted struct {
	StackName string `json:"stack_name"`
	Name      string `json:"execution_plan_name"`
	Status    string `json:"status"`
}

func planDelete(*flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		ref := planRef(inv)
		if _, err := e.DeleteExecutionPlan(ctx, ref); err != nil {
			return err
		}
		if inv.out.json {
			return inv.out.printJSON(planDeleted{ref.Name, ref.PlanName, "DELETED"})
		}
		return inv.out.printf("Deleted execution plan %s of stack %s.\n", ref.PlanName, ref.Name)
	}
}
