package engine

import (
	"context"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// PlannedChanges is a stored execution plan as the planner made it: what
// renderers other than RFS's items need, such as Terraform's JSON plan
// format (plan.Plan.TerraformJSON).
type PlannedChanges struct {
	// Plan is the plan an apply would execute.
	Plan *plan.Plan
	// Config is the plan's template expanded with its variables (data
	// sources not read); nil when the template no longer expands.
	Config *template.Config
}

// GetPlannedChanges returns a stored plan's changes and its expanded
// template. It reads only: the plan stays as it is. A plan without
// changes to show (CREATION_IN_PROGRESS or CREATION_FAILED) is refused
// with CodeInvalidPlanStatus.
func (e *Engine) GetPlannedChanges(ctx context.Context, ref PlanRef) (PlannedChanges, error) {
	const op = "engine.GetPlannedChanges"
	if err := ref.validate(op); err != nil {
		return PlannedChanges{}, err
	}
	var body planSource
	var exec []byte
	err := e.view(ctx, op, func(tx store.Tx) error {
		rec, p, err := loadPlan(tx, op, ref)
		if err != nil {
			return err
		}
		switch p.Status {
		case formation.PlanCreationInProgress, formation.PlanCreationFailed:
			return formation.Errorf(formation.CodeInvalidPlanStatus, op, p.Name, "the execution plan is %s: it has no changes to show", p.Status)
		}
		if err := loadBody(tx, rec.ID, p.Name, &body); err != nil {
			return err
		}
		if exec = tx.Get(store.PlanBodies, planExecKey(rec.ID, p.Name)); exec == nil {
			exec = body.Legacy // written before the plan had its own key
		}
		if exec == nil {
			return formation.Errorf(formation.CodeInternal, op, p.Name, "the execution plan is not stored")
		}
		exec = append([]byte(nil), exec...) // the store's bytes live only as long as the transaction
		return nil
	})
	if err != nil {
		return PlannedChanges{}, err
	}
	p, err := plan.Decode(exec)
	if err != nil {
		return PlannedChanges{}, err
	}
	cfg, _ := e.load(ctx, body.Template, false)
	return PlannedChanges{Plan: p, Config: cfg}, nil
}

// TerraformPlanJSON renders a stored plan in Terraform's JSON plan format,
// as terraform show -json renders a saved plan, timestamped with the plan's
// creation: what policy tools written for Terraform (OPA, conftest) read.
// tool names the producer in the document's terraform_version field.
func (e *Engine) TerraformPlanJSON(ctx context.Context, ref PlanRef, tool string) ([]byte, error) {
	meta, err := e.GetExecutionPlanMetadata(ctx, ref)
	if err != nil {
		return nil, err
	}
	changes, err := e.GetPlannedChanges(ctx, ref)
	if err != nil {
		return nil, err
	}
	return changes.Plan.TerraformJSON(plan.TerraformJSONInput{Config: changes.Config, Version: tool, Timestamp: meta.CreateTime.Time})
}
